"""``get_style_recommendations`` and ``get_platform_style_recommendations``: which comparisons a
portfolio of tests gives (a preset against the control of the test it ran in), the pooled
estimates from them, the evidence, the stated minimum, and what never leaves an organisation."""

import json
from dataclasses import asdict

import pytest

from abtests import stats
from abtests.pooling import pool_lifts
from abtests.recommendations import (
    get_platform_style_recommendations,
    get_style_recommendations,
    recommendation_panel,
)
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import make_test, record, variant_ids
from tests.abtests.portfolios import run_test
from tests.factories import OrganisationFactory
from tests.presets.factories import make_preset

pytestmark = pytest.mark.django_db

PRO, PLAYFUL, MODERN, VINTAGE = (
    "builtin-professional",
    "builtin-playful",
    "builtin-modern",
    "builtin-vintage",
)


def test_it_pools_each_presets_lift_against_its_own_tests_controls(org_a):
    # Playful and vintage never faced each other: each ran against its own test's control.
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    run_test(org_a, [(PRO, 8000, 320), (PLAYFUL, 8000, 390), (VINTAGE, 8000, 300)])
    run_test(org_a, [(MODERN, 3000, 90), (VINTAGE, 3000, 84)], status="completed")
    # Not comparisons: a draft, the control's own preset, a prompt-only variant, a test that
    # does not collect clicks.
    make_test(org_a, variants=[{"name": "A", "preset_id": PRO}, {"name": "B", "preset_id": MODERN}])
    run_test(org_a, [(PRO, 5000, 200), (PRO, 5000, 400), ("", 5000, 400)])
    found = get_style_recommendations(org_a.pk, metric="ctr")
    assert found.comparisons == 4 and found.tests == 3

    pairs = [
        (PLAYFUL, (200, 5000, 260, 5000)),
        (PLAYFUL, (320, 8000, 390, 8000)),
        (VINTAGE, (320, 8000, 300, 8000)),
        (VINTAGE, (90, 3000, 84, 3000)),
    ]
    lifts = [stats.relative_lift(*counts) for _, counts in pairs]
    expected = pool_lifts([p for p, _ in pairs], [x.value for x in lifts], [x.se for x in lifts])
    assert [e.preset_id for e in found.effects] == [PLAYFUL, VINTAGE]
    for effect in found.effects:
        pooled = expected.effect(effect.preset_id)
        assert effect.lift == pytest.approx(pooled.estimate)
        assert (effect.ci_low, effect.ci_high) == pytest.approx((pooled.ci_low, pooled.ci_high))
    playful = found.effects[0]
    assert (playful.name, playful.tests, playful.wins, playful.units) == ("Playful", 2, 2, 13000)
    assert found.evidence(playful) == "won 2 of 2 tests on CTR, 13,000 impressions"


def test_a_preset_below_the_minimum_is_not_recommended(org_a):
    run_test(org_a, [(PRO, 900, 30), (PLAYFUL, 900, 45)])
    found = get_style_recommendations(org_a.pk)
    assert found.effects == ()
    assert [(w.preset_id, w.units) for w in found.waiting] == [(PLAYFUL, 900)]
    panel = recommendation_panel(tenant_id=org_a.pk, metric="ctr", limit=3)
    assert panel.presets == ()
    assert panel.note.startswith("Not enough evidence yet: a preset is recommended once its")
    assert "1,000 impressions" in panel.note


def test_arms_under_100_units_and_a_control_without_successes_give_no_comparison(org_a):
    run_test(org_a, [(PRO, 99, 5), (PLAYFUL, 5000, 200)])
    run_test(org_a, [(PRO, 5000, 0), (PLAYFUL, 5000, 200)])
    assert get_style_recommendations(org_a.pk).comparisons == 0


def test_a_tie_is_no_win(org_a):
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 200)])
    assert get_style_recommendations(org_a.pk).effects[0].wins == 0


def test_lower_is_better_for_cost_per_click(org_a):
    # The same spend per impression: more clicks means a cheaper click.
    run_test(org_a, [(PRO, 100000, 3000), (PLAYFUL, 100000, 4500), (VINTAGE, 100000, 2400)])
    found = get_style_recommendations(org_a.pk, metric="cpc")
    assert found.lower_is_better and found.unit_label == "clicks"
    assert [e.preset_id for e in found.effects] == [PLAYFUL, VINTAGE]
    assert found.effects[0].lift < 0 < found.effects[1].lift
    assert found.effects[0].wins == 1


def test_it_refuses_an_unknown_metric(org_a):
    with pytest.raises(InvalidInput) as refused:
        get_style_recommendations(org_a.pk, metric="likes")
    assert refused.value.errors == {"metric": "Choose ctr, cvr, engagement_rate or cpc."}


def test_an_organisation_sees_only_its_own_tests(org_a, org_b):
    secret = make_preset(org_a, name="Alpha Secret Sauce")
    run_test(org_a, [(PRO, 5000, 200), (secret, 5000, 300)])
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 290)])
    run_test(org_b, [(PRO, 4000, 100), (PLAYFUL, 4000, 104)])
    mine = get_style_recommendations(org_a.pk)
    assert {e.name for e in mine.effects} == {"Alpha Secret Sauce", "Playful"}
    theirs = get_style_recommendations(org_b.pk)
    text = json.dumps([asdict(e) for e in theirs.effects]) + json.dumps(asdict(theirs))
    assert "Secret" not in text and secret not in text
    assert theirs.comparisons == 1 and theirs.effects[0].units == 4000
    # B's own playful lift (+4%), not A's (+45%).
    assert theirs.effects[0].raw_lift == pytest.approx(0.04)


def test_platform_wide_needs_three_organisations_and_shows_only_aggregates(org_a, org_b):
    secret = make_preset(org_a, name="Alpha Secret Sauce")
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 260), (secret, 5000, 330)])
    run_test(org_b, [(PRO, 5000, 200), (PLAYFUL, 5000, 240)])
    early = get_platform_style_recommendations(metric="ctr")
    assert early.effects == () and early.overall_lift is None
    assert [(w.name, w.tests, w.units) for w in early.waiting] == [("Playful", 0, 0)]

    third = OrganisationFactory(name="Gamma Growers")
    run_test(third, [(MODERN, 5000, 200), (PLAYFUL, 5000, 250)])
    found = get_platform_style_recommendations(metric="ctr")
    assert [(e.preset_id, e.organisations, e.tests) for e in found.effects] == [(PLAYFUL, 3, 3)]
    text = json.dumps(asdict(found))
    for private in ("Secret", secret, org_a.pk, org_b.pk, third.pk, "Alpha", "Beta", "Gamma"):
        assert private not in text


def test_without_its_own_evidence_the_panel_falls_back_to_the_platform(org_a, org_b):
    for org in (org_a, org_b, OrganisationFactory()):
        run_test(org, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    newcomer = OrganisationFactory()
    panel = recommendation_panel(tenant_id=newcomer.pk, metric="ctr", limit=3)
    assert [p.name for p in panel.presets] == ["Playful"]
    assert panel.note.startswith("Built-in presets across BakedBot brands")
    assert panel.presets[0].evidence == "won 3 of 3 tests on CTR, 15,000 impressions"


def test_the_platform_view_is_fresh_after_any_result_changes(org_a, org_b):
    tests = [
        run_test(org, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
        for org in (org_a, org_b, OrganisationFactory())
    ]
    before = get_platform_style_recommendations(metric="ctr").effects[0]
    assert get_platform_style_recommendations(metric="ctr").effects[0] == before
    # A later snapshot changes no row count, only the numbers.
    record(tests[0], variant_ids(tests[0])[1], impressions=9000, clicks=700)
    after = get_platform_style_recommendations(metric="ctr").effects[0]
    assert after.units == before.units + 4000 and after.lift > before.lift
