"""``costs.stores``: the backend settings name, or the repository put in place for a while."""

from costs.stores import get_repository, use_repository
from tests.costs.fake_repository import FakeCostRepository


def test_it_answers_the_repository_in_use_and_restores_the_backend_after(settings, db):
    settings.COSTS_STORE = "sql"
    backend = get_repository()
    outer, inner = FakeCostRepository(), FakeCostRepository()
    with use_repository(outer):
        assert get_repository() is outer
        with use_repository(inner):
            assert get_repository() is inner
        assert get_repository() is outer
    assert get_repository() is backend
    assert type(backend).__name__ == "SqlCostRepository"
