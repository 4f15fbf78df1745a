"""Metrics in: cumulative snapshots per variant, refused when impossible (naming the field),
recorded as an audit trail, and followed by a fresh winner decision."""

import pytest

from abtests import services
from abtests.models import MediaABTestMetricSnapshot, MediaABTestResult
from abtests.selectors import ABTestNotFound
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import make_test, record, start, variant_ids

pytestmark = pytest.mark.django_db


_record = record


def test_it_records_a_cumulative_snapshot(running_test):
    control, _ = variant_ids(running_test)
    first = _record(running_test, control, impressions=1000, clicks=40, cost="12.50")
    assert (first.impressions, first.clicks, first.cost_micros) == (1000, 40, 12_500_000)
    second = _record(running_test, control, impressions=2500, clicks=90, conversions=9)
    assert (second.impressions, second.conversions, second.cost_micros) == (2500, 9, 12_500_000)
    result = MediaABTestResult.objects.get(variant_id=control)
    assert (result.impressions, result.clicks, result.conversions) == (2500, 90, 9)
    assert result.cost_micros == 12_500_000  # left out of the second snapshot: kept
    assert str(result.ctr) == "0.036"
    assert str(result.cpc) == "0.1388888888888888888888888889"
    snapshots = MediaABTestMetricSnapshot.objects.filter(variant_id=control)
    assert [s.impressions for s in snapshots] == [1000, 2500]
    assert {s.source for s in snapshots} == {"api"}


def test_it_accepts_cost_in_micros_and_numeric_strings(running_test):
    control, _ = variant_ids(running_test)
    saved = _record(running_test, control, impressions="1,200", clicks="30", cost_micros=625000)
    assert (saved.impressions, saved.cost_micros) == (1200, 625000)
    assert MediaABTestResult.objects.get(variant_id=control).cost_micros == 625000


@pytest.mark.parametrize(
    ("metrics", "field", "message"),
    [
        ({"impressions": -1}, "impressions", "Cannot be negative"),
        ({"impressions": 100, "clicks": 101}, "clicks", "Clicks cannot exceed impressions (100)"),
        (
            {"impressions": 100, "clicks": 10, "conversions": 11},
            "conversions",
            "Conversions cannot exceed clicks (10)",
        ),
        ({"impressions": 10, "engagement": 11}, "engagement", "cannot exceed impressions"),
        ({"impressions": 1.5}, "impressions", "whole number"),
        ({"impressions": True}, "impressions", "whole number"),
        ({"clicks": "many"}, "clicks", "whole number"),
        ({"cost": 1.25}, "cost", "not a float"),
        ({"cost": "-3"}, "cost", "Cannot be negative"),
        ({"cost": "0.0000001"}, "cost", "dollars"),
        ({"cost_micros": -5}, "cost", "Cannot be negative"),
        ({"likes": 3}, "likes", "Unknown metric"),
        ({"impressions": 9223372036854775808}, "impressions", "at most"),
        ({"impressions": "9223372036854775808"}, "impressions", "at most"),
        ({"impressions": "²"}, "impressions", "whole number"),
        ({"cost": "1e309"}, "cost", "at most"),
        ({"cost": "NaN"}, "cost", "dollars"),
        ({"cost_micros": 2**63}, "cost", "at most"),
    ],
)
def test_it_refuses_impossible_metrics_naming_the_field(running_test, metrics, field, message):
    control, _ = variant_ids(running_test)
    with pytest.raises(InvalidInput) as refused:
        _record(running_test, control, **metrics)
    assert message in refused.value.errors[field]
    assert MediaABTestResult.objects.get(variant_id=control).impressions == 0
    assert not MediaABTestMetricSnapshot.objects.exists()


def test_it_checks_a_partial_snapshot_against_the_stored_counts(running_test):
    control, _ = variant_ids(running_test)
    _record(running_test, control, impressions=100, clicks=50)
    with pytest.raises(InvalidInput) as refused:
        _record(running_test, control, impressions=40)
    assert refused.value.errors == {"clicks": "Clicks cannot exceed impressions (40)."}


def test_it_refuses_metrics_for_a_draft(draft_test):
    control, _ = variant_ids(draft_test)
    with pytest.raises(InvalidInput) as refused:
        _record(draft_test, control, impressions=10)
    assert refused.value.errors == {"status": "Metrics can be recorded once the test has started."}


def test_it_answers_not_found_for_a_variant_of_another_test(org_a, running_test):
    other = start(make_test(org_a, name="Other"))
    with pytest.raises(ABTestNotFound):
        _record(running_test, variant_ids(other)[0], impressions=10)


def test_it_answers_not_found_for_another_tenants_test(org_b, running_test):
    control, _ = variant_ids(running_test)
    with pytest.raises(ABTestNotFound):
        services.update_ab_test_metrics(
            tenant_id=org_b.pk,
            test_id=running_test.pk,
            variant_id=control,
            metrics={"impressions": 1},
        )
    assert MediaABTestResult.objects.get(variant_id=control).impressions == 0


def test_it_flags_the_winner_after_each_update(running_test):
    control, playful = variant_ids(running_test)
    _record(running_test, control, impressions=20_000, clicks=1000)
    saved = _record(running_test, playful, impressions=20_000, clicks=1250)
    assert saved.is_winner and saved.confidence > 0.99
    results = {r.variant_id: r for r in MediaABTestResult.objects.all()}
    assert results[playful].is_winner and not results[control].is_winner
    assert results[playful].confidence > 0.99
    assert results[control].confidence == pytest.approx(1 - results[playful].confidence)

    # A later snapshot that evens things out takes the flag away again.
    _record(running_test, playful, impressions=20_000, clicks=1010)
    assert not MediaABTestResult.objects.filter(is_winner=True).exists()
