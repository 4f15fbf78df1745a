"""django-q2 entry points: fetch nothing themselves, call a service."""

from abtests.services import reweight_bandit_tests as reweight_due_tests


def reweight_bandit_tests() -> int:
    """The bandit schedule (``abtests.services.ensure_bandit_schedule``): re-weight every bandit
    test that is due; answers how many moved (kept in django-q2's task result)."""
    return len(reweight_due_tests().reweighted)
