"""The Thompson-sampling split (``suggest_bandit_split``, ``apply_bandit_split``): suggested from
the primary metric, applied only to a running test, and the sample-ratio check restarted from the
new split."""

import pytest

from abtests import services
from abtests.selectors import (
    BanditUnavailable,
    analyse_media_ab_test,
    suggest_bandit_split,
)
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import make_test, record, start, variant_ids

pytestmark = pytest.mark.django_db


def _metrics(test, variant_id, impressions, clicks):
    saved = record(test, variant_id, impressions=impressions, clicks=clicks)
    assert (saved.impressions, saved.clicks) == (impressions, clicks)


def _apply(test, split):
    return services.apply_bandit_split(tenant_id=test.tenant_id, test_id=test.pk, split=split)


def test_it_suggests_more_traffic_for_the_better_variant(running_test):
    control, playful = variant_ids(running_test)
    _metrics(running_test, control, 5000, 200)
    _metrics(running_test, playful, 5000, 260)
    suggestion = suggest_bandit_split(running_test.tenant_id, running_test.pk, rng=8)
    assert suggestion.metric_label == "CTR"
    assert sum(suggestion.percentages.values()) == 100
    assert suggestion.percentages[playful] >= 97
    assert suggestion.percentages[control] >= 1
    assert suggestion == suggest_bandit_split(running_test.tenant_id, running_test.pk, rng=8)


def test_it_has_no_bandit_for_cost_per_click(org_a):
    test = make_test(org_a, primary_metric="cpc")
    with pytest.raises(BanditUnavailable, match="not on CPC"):
        suggest_bandit_split(org_a.pk, test.pk)


def test_it_applies_a_split_to_a_running_test_and_restarts_the_srm_count(running_test):
    control, playful = variant_ids(running_test)
    _metrics(running_test, control, 5000, 200)
    _metrics(running_test, playful, 5000, 260)
    saved = _apply(running_test, {control: 10, playful: 90})
    assert saved.status == "running"
    variants = list(running_test.variants.all())
    assert [(v.split_percent, v.impressions_at_split) for v in variants] == [
        (10, 5000),
        (90, 5000),
    ]
    # Traffic since the re-split follows 10/90, so there is no mismatch although the totals
    # (5,500 against 14,000) are far from 10/90.
    _metrics(running_test, control, 5500, 220)
    _metrics(running_test, playful, 9500, 500)
    analysis = analyse_media_ab_test(running_test)
    assert analysis.srm.checked and not analysis.srm.flagged


@pytest.mark.parametrize("status", ["draft", "paused", "completed"])
def test_it_applies_a_bandit_split_to_a_running_test_only(org_a, status):
    test = make_test(org_a)
    for step in {"draft": [], "paused": ["running", "paused"]}.get(
        status, ["running", "completed"]
    ):
        services.transition_media_ab_test(tenant_id=org_a.pk, test_id=test.pk, status=step)
    control, playful = variant_ids(test)
    with pytest.raises(InvalidInput) as refused:
        _apply(test, {control: 20, playful: 80})
    assert refused.value.errors == {"split": "The bandit re-split applies to a running test only."}
    assert list(test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_it_validates_the_applied_split(running_test):
    control, playful = variant_ids(running_test)
    with pytest.raises(InvalidInput) as refused:
        _apply(running_test, {control: 0, playful: 100})
    assert "at least 1%" in refused.value.errors["split"]
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_a_running_test_started_with_three_variants_gets_three_weights(org_a):
    test = start(make_test(org_a, variants=[{"name": n, "custom_prompt": "p"} for n in "ABC"]))
    suggestion = suggest_bandit_split(org_a.pk, test.pk, rng=1)
    assert set(suggestion.percentages) == set(variant_ids(test))
