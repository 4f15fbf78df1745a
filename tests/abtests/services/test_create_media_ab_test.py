"""Creating tests: field validation, split validation, and nothing written on an error."""

from decimal import Decimal

import pytest

from abtests import services
from abtests.models import MediaABTest, MediaABTestVariant
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import ab_test_data, make_test

pytestmark = pytest.mark.django_db


def _create(org, data):
    return services.create_media_ab_test(tenant_id=org.pk, data=data)


def test_it_creates_a_draft_with_an_equal_split(org_a):
    saved = _create(
        org_a,
        ab_test_data(variants=[{"name": n, "custom_prompt": "p"} for n in ("A", "B", "C")]),
    )
    assert (saved.status, saved.wizard_step) == ("draft", 1)
    test = MediaABTest.objects.get(pk=saved.test_id)
    assert test.tenant == org_a and test.status == "draft"
    assert test.metrics == ["impressions", "clicks", "conversions", "engagement", "cost"]
    assert [(v.position, v.name, v.split_percent) for v in test.variants.all()] == [
        (0, "A", 34),
        (1, "B", 33),
        (2, "C", 33),
    ]


def test_it_saves_a_draft_from_the_first_wizard_step_alone(org_a):
    saved = _create(org_a, {"name": "Just a name", "wizard_step": 2})
    assert saved.wizard_step == 2
    test = MediaABTest.objects.get(pk=saved.test_id)
    assert (test.wizard_step, test.variants.count()) == (2, 0)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "required"),
        ({"name": "x" * 121}, "name", "Test name must be at most 120"),
        ({"primary_metric": "revenue"}, "primary_metric", "Choose CTR"),
        ({"metrics": ["clicks", "likes"]}, "metrics", "Unknown metric 'likes'"),
        ({"primary_metric": "cvr", "metrics": ["impressions", "clicks"]}, "metrics", "CVR needs"),
        ({"start_date": "2026-13-01"}, "start_date", "YYYY-MM-DD"),
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date", "before the start"),
        ({"confidence_threshold": "1.5"}, "confidence_threshold", "between 0.5 and 0.999"),
        ({"confidence_threshold": 0.9}, "confidence_threshold", "not a float"),
        ({"confidence_threshold": "1e309"}, "confidence_threshold", "between 0.5 and 0.999"),
        ({"minimum_detectable_effect": "0"}, "minimum_detectable_effect", "between"),
        ({"adjustment": "bonferroni"}, "adjustment", "holm or bh"),
        ({"wizard_step": "²"}, "wizard_step", "1 to 4"),
        ({"wizard_step": 5}, "wizard_step", "1 to 4"),
        ({"colour": "red"}, "colour", "Unknown field"),
        ({"variants": "A, B"}, "variants", "as a list"),
        ({"variants": [{"name": "A"}, {"name": "a"}]}, "variants.2.name", "its own name"),
        ({"variants": [{"name": "A", "preset_id": "nope"}]}, "variants.1.preset_id", "No such"),
        (
            {"variants": [{"name": "A", "media_cost_micros": "9223372036854775808"}]},
            "variants.1.media_cost_micros",
            "at most",
        ),
    ],
)
def test_it_refuses_bad_input_naming_the_field(org_a, overrides, field, message):
    with pytest.raises(InvalidInput) as refused:
        _create(org_a, ab_test_data(**overrides))
    assert message in refused.value.errors[field]
    assert not MediaABTest.objects.exists()


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        ([60, 30], "total 100% (it totals 90%)"),
        ([100, 0], "at least 1%"),
        ([101, -1], "Cannot be negative"),
        ([50, None], "or none for an equal split"),
        (["fifty", 50], "whole number"),
        (["²", 50], "whole number"),
    ],
)
def test_it_validates_the_split(org_a, splits, message):
    variants = [
        {"name": f"V{i}", "custom_prompt": "p", "split_percent": s} for i, s in enumerate(splits)
    ]
    with pytest.raises(InvalidInput) as refused:
        _create(org_a, ab_test_data(variants=variants))
    assert message in " ".join(refused.value.errors.values())
    assert not MediaABTestVariant.objects.exists()


def test_it_accepts_an_uneven_split_totalling_100(org_a):
    variants = [{"name": "A", "split_percent": 1}, {"name": "B", "split_percent": "99"}]
    test = make_test(org_a, variants=variants)
    assert [v.split_percent for v in test.variants.all()] == [1, 99]


def test_it_stores_decision_settings_as_decimals(org_a):
    test = make_test(org_a, confidence_threshold="0.99", minimum_detectable_effect="0.005")
    assert test.confidence_threshold == Decimal("0.990")
    assert test.minimum_detectable_effect == Decimal("0.0050")


def test_it_refuses_an_unknown_tenant(db):
    with pytest.raises(InvalidInput) as refused:
        services.create_media_ab_test(tenant_id="org_missing", data=ab_test_data())
    assert refused.value.errors == {"tenant": "No such organisation."}
    assert not MediaABTest.objects.exists()
