"""Editing tests: variants kept by id, a draft's split, frozen fields once a test has started,
and nothing half-written on an error."""

import datetime

import pytest

from abtests import services
from abtests.models import MediaABTestVariant
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import variant_ids

pytestmark = pytest.mark.django_db


def _update(test, updates):
    return services.update_media_ab_test(tenant_id=test.tenant_id, test_id=test.pk, updates=updates)


def test_it_edits_a_draft_keeping_variants_by_id(draft_test):
    control, playful = variant_ids(draft_test)
    MediaABTestVariant.objects.filter(pk=playful).update(media_ref="media_123")
    saved = _update(
        draft_test,
        {
            "name": "Renamed",
            "variants": [
                {"id": playful, "name": "Playful", "custom_prompt": "brighter"},
                {"name": "Luxury", "preset_id": "builtin-luxury"},
                {"id": control, "name": "Control", "preset_id": "builtin-professional"},
            ],
        },
    )
    assert (saved.test_id, saved.status) == (draft_test.pk, "draft")
    draft_test.refresh_from_db()
    variants = list(draft_test.variants.all())
    assert draft_test.name == "Renamed"
    assert [v.name for v in variants] == ["Playful", "Luxury", "Control"]
    assert variants[0].pk == playful and variants[0].custom_prompt == "brighter"
    assert variants[2].pk == control
    assert [v.split_percent for v in variants] == [34, 33, 33]


def test_it_changes_a_drafts_split(draft_test):
    control, playful = variant_ids(draft_test)
    saved = _update(draft_test, {"split": {control: 70, playful: 30}})
    assert saved.test_id == draft_test.pk
    assert list(draft_test.variants.values_list("split_percent", flat=True)) == [70, 30]


@pytest.mark.parametrize(
    ("split", "message"),
    [
        ({"a": 50, "b": 50}, "each of the test's variants"),
        ("70/30", "variant id"),
    ],
)
def test_it_refuses_a_split_for_other_variants(draft_test, split, message):
    with pytest.raises(InvalidInput) as refused:
        _update(draft_test, {"split": split})
    assert message in refused.value.errors["split"]


def test_it_writes_nothing_when_one_update_is_wrong(draft_test):
    control, playful = variant_ids(draft_test)
    with pytest.raises(InvalidInput) as refused:
        _update(draft_test, {"name": "New name", "split": {control: 90, playful: 20}})
    assert refused.value.errors == {"split": "The split must total 100% (it totals 110%)."}
    draft_test.refresh_from_db()
    assert draft_test.name == "Spring drop hero image"
    assert list(draft_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_it_freezes_variants_and_split_while_running(running_test):
    control, playful = variant_ids(running_test)
    with pytest.raises(InvalidInput) as refused:
        _update(
            running_test,
            {"split": {control: 80, playful: 20}, "variants": [], "base_prompt": "new"},
        )
    errors = refused.value.errors
    assert "the test is running" in errors["variants"]
    assert "only by the bandit re-split" in errors["split"]
    assert "the test is running" in errors["base_prompt"]
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_it_lets_a_running_test_be_renamed_and_its_end_date_moved(running_test):
    saved = _update(running_test, {"name": "Spring drop (extended)", "end_date": "2030-05-01"})
    assert saved.status == "running"
    running_test.refresh_from_db()
    assert running_test.name == "Spring drop (extended)"
    assert running_test.end_date == datetime.date(2030, 5, 1)
