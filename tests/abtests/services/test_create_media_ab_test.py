"""Creating and editing tests: field validation, split validation, variants kept by id, frozen
fields once a test has started, and nothing half-written on an error."""

import datetime
from decimal import Decimal

import pytest

from abtests import services
from abtests.models import MediaABTest, MediaABTestVariant
from tests.abtests.conftest import ab_test_data, make_test, variant_ids

pytestmark = pytest.mark.django_db


def test_it_creates_a_draft_with_an_equal_split(org_a):
    result = services.create_media_ab_test(
        org_a.pk,
        ab_test_data(variants=[{"name": n, "custom_prompt": "p"} for n in ("A", "B", "C")]),
    )
    assert result.success and result.error is None
    test = MediaABTest.objects.get(pk=result.test_id)
    assert test.tenant == org_a and test.status == "draft"
    assert test.metrics == ["impressions", "clicks", "conversions", "engagement", "cost"]
    assert [(v.position, v.name, v.split_percent) for v in test.variants.all()] == [
        (0, "A", 34),
        (1, "B", 33),
        (2, "C", 33),
    ]


def test_it_saves_a_draft_from_the_first_wizard_step_alone(org_a):
    result = services.create_media_ab_test(org_a.pk, {"name": "Just a name", "wizard_step": 2})
    assert result.success
    test = MediaABTest.objects.get(pk=result.test_id)
    assert (test.wizard_step, test.variants.count()) == (2, 0)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "required"),
        ({"name": "x" * 121}, "name", "At most 120"),
        ({"primary_metric": "revenue"}, "primary_metric", "Choose CTR"),
        ({"metrics": ["clicks", "likes"]}, "metrics", "Unknown metric 'likes'"),
        ({"primary_metric": "cvr", "metrics": ["impressions", "clicks"]}, "metrics", "CVR needs"),
        ({"start_date": "2026-13-01"}, "start_date", "YYYY-MM-DD"),
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date", "before the start"),
        ({"confidence_threshold": "1.5"}, "confidence_threshold", "between 0.5 and 0.999"),
        ({"confidence_threshold": 0.9}, "confidence_threshold", "not a float"),
        ({"minimum_detectable_effect": "0"}, "minimum_detectable_effect", "between"),
        ({"adjustment": "bonferroni"}, "adjustment", "holm or bh"),
        ({"colour": "red"}, "colour", "Unknown field"),
        ({"variants": "A, B"}, "variants", "as a list"),
        ({"variants": [{"name": "A"}, {"name": "a"}]}, "variants.2.name", "its own name"),
        ({"variants": [{"name": "A", "preset_id": "nope"}]}, "variants.1.preset_id", "No such"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(org_a, overrides, field, message):
    result = services.create_media_ab_test(org_a.pk, ab_test_data(**overrides))
    assert not result.success and result.test_id is None
    assert message in result.error[field]
    assert not MediaABTest.objects.exists()


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        ([60, 30], "total 100% (it totals 90%)"),
        ([100, 0], "at least 1%"),
        ([101, -1], "Cannot be negative"),
        ([50, None], "or none for an equal split"),
        (["fifty", 50], "whole number"),
    ],
)
def test_it_validates_the_split(org_a, splits, message):
    variants = [
        {"name": f"V{i}", "custom_prompt": "p", "split_percent": s} for i, s in enumerate(splits)
    ]
    result = services.create_media_ab_test(org_a.pk, ab_test_data(variants=variants))
    assert not result.success
    assert message in " ".join(result.error.values())
    assert not MediaABTestVariant.objects.exists()


def test_it_accepts_an_uneven_split_totalling_100(org_a):
    variants = [{"name": "A", "split_percent": 1}, {"name": "B", "split_percent": "99"}]
    test = make_test(org_a, variants=variants)
    assert [v.split_percent for v in test.variants.all()] == [1, 99]


def test_it_edits_a_draft_keeping_variants_by_id(draft_test):
    control, playful = variant_ids(draft_test)
    MediaABTestVariant.objects.filter(pk=playful).update(media_ref="media_123")
    result = services.update_media_ab_test(
        draft_test.tenant_id,
        draft_test.pk,
        {
            "name": "Renamed",
            "variants": [
                {"id": playful, "name": "Playful", "custom_prompt": "brighter"},
                {"name": "Luxury", "preset_id": "builtin-luxury"},
                {"id": control, "name": "Control", "preset_id": "builtin-professional"},
            ],
        },
    )
    assert result.success, result.error
    draft_test.refresh_from_db()
    variants = list(draft_test.variants.all())
    assert draft_test.name == "Renamed"
    assert [v.name for v in variants] == ["Playful", "Luxury", "Control"]
    assert variants[0].pk == playful and variants[0].custom_prompt == "brighter"
    assert variants[2].pk == control
    assert [v.split_percent for v in variants] == [34, 33, 33]


def test_it_changes_a_drafts_split(draft_test):
    control, playful = variant_ids(draft_test)
    result = services.update_media_ab_test(
        draft_test.tenant_id, draft_test.pk, {"split": {control: 70, playful: 30}}
    )
    assert result.success
    assert list(draft_test.variants.values_list("split_percent", flat=True)) == [70, 30]


@pytest.mark.parametrize(
    ("split", "message"),
    [
        ({"a": 50, "b": 50}, "each of the test's variants"),
        ("70/30", "variant id"),
    ],
)
def test_it_refuses_a_split_for_other_variants(draft_test, split, message):
    result = services.update_media_ab_test(draft_test.tenant_id, draft_test.pk, {"split": split})
    assert message in result.error["split"]


def test_it_writes_nothing_when_one_update_is_wrong(draft_test):
    control, playful = variant_ids(draft_test)
    result = services.update_media_ab_test(
        draft_test.tenant_id,
        draft_test.pk,
        {"name": "New name", "split": {control: 90, playful: 20}},
    )
    assert result.error == {"split": "The split must total 100% (it totals 110%)."}
    draft_test.refresh_from_db()
    assert draft_test.name == "Spring drop hero image"
    assert list(draft_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_it_freezes_variants_and_split_while_running(running_test):
    control, playful = variant_ids(running_test)
    result = services.update_media_ab_test(
        running_test.tenant_id,
        running_test.pk,
        {"split": {control: 80, playful: 20}, "variants": [], "base_prompt": "new"},
    )
    assert not result.success
    assert "the test is running" in result.error["variants"]
    assert "only by the bandit re-split" in result.error["split"]
    assert "the test is running" in result.error["base_prompt"]
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_it_lets_a_running_test_be_renamed_and_its_end_date_moved(running_test):
    result = services.update_media_ab_test(
        running_test.tenant_id,
        running_test.pk,
        {"name": "Spring drop (extended)", "end_date": "2030-05-01"},
    )
    assert result.success
    running_test.refresh_from_db()
    assert running_test.name == "Spring drop (extended)"
    assert running_test.end_date == datetime.date(2030, 5, 1)


def test_it_stores_decision_settings_as_decimals(org_a):
    test = make_test(org_a, confidence_threshold="0.99", minimum_detectable_effect="0.005")
    assert test.confidence_threshold == Decimal("0.990")
    assert test.minimum_detectable_effect == Decimal("0.0050")


def test_it_refuses_an_unknown_tenant(db):
    result = services.create_media_ab_test("org_missing", ab_test_data())
    assert result.error == {"tenant": "No such organisation."}
