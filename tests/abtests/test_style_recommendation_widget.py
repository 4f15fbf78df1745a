"""The style-recommendation panel where people choose a preset: the Creative Center's preset
picker, the A/B wizard's variant step and a playbook's image/video steps (through the
``presets.recommendations`` slot the abtests app fills), "not enough evidence yet" below the
minimum, and another organisation's evidence never shown."""

import pytest
from django.urls import reverse

from playbooks.services import install_playbook_template, seed_playbook_templates
from presets.recommendations import style_recommendations
from tests.abtests.conftest import make_test
from tests.abtests.portfolios import run_test
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PRO, PLAYFUL = "builtin-professional", "builtin-playful"
EVIDENCE = "won 2 of 2 tests on CTR, 13,000 impressions"


@pytest.fixture
def evidence(org_a):
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    run_test(org_a, [(PRO, 8000, 320), (PLAYFUL, 8000, 390)])


def _panel(html):
    start = html.index('data-testid="style-recommendations"')
    return html[start : html.index("</aside>", start)]


def test_the_slot_is_filled_by_the_abtests_app(org_a, evidence):
    panel = style_recommendations(tenant_id=org_a.pk, metric="ctr")
    assert [p.preset_id for p in panel.presets] == [PLAYFUL]
    assert panel.presets[0].lift_text.startswith("+")
    assert panel.page_url_name == "abtests:recommendations"


def test_the_creative_center_shows_it_beside_the_preset_picker(owner_a_client, evidence):
    html = owner_a_client.get(reverse("media:creative")).content.decode()
    panel = _panel(html)
    assert html.index('data-testid="preset-picker"') < html.index(panel)
    assert "<strong>Playful</strong>" in panel and EVIDENCE in panel
    assert "/dashboard/abtests/recommendations?metric=ctr" in panel


def test_the_wizard_variant_step_shows_it_for_the_tests_metric(member_a_client, org_a, evidence):
    draft = make_test(org_a, wizard_step=2, primary_metric="cvr")
    html = member_a_client.get(reverse("abtests:wizard", args=[draft.pk]), {"step": 2})
    panel = _panel(html.content.decode())
    assert "Tends to win on CVR" in panel
    assert "Not enough evidence yet" in panel and "1,000 clicks" in panel


def test_a_playbooks_image_and_video_steps_show_it(owner_a_client, org_a, evidence):
    seed_playbook_templates()
    installed = install_playbook_template(template_id="weekly-deals-video", org_id=org_a.pk)
    html = owner_a_client.get(reverse("playbooks:detail", args=[installed.playbook_id]))
    html = html.content.decode()
    assert html.count('data-testid="style-recommendations"') >= 1
    assert EVIDENCE in _panel(html)


def test_below_the_minimum_it_says_so(owner_a_client, org_a):
    run_test(org_a, [(PRO, 400, 20), (PLAYFUL, 400, 30)])
    panel = _panel(owner_a_client.get(reverse("media:creative")).content.decode())
    assert 'data-testid="not-enough-evidence"' in panel
    assert "Not enough evidence yet: a preset is recommended once" in panel


def test_another_organisations_evidence_is_not_shown(user_b_client, org_a, evidence):
    panel = _panel(user_b_client.get(reverse("media:creative")).content.decode())
    assert "Playful" not in panel and "13,000" not in panel


def test_with_three_organisations_behind_a_built_in_a_newcomer_sees_the_platform(
    user_b_client, org_a
):
    for org in (org_a, OrganisationFactory(), OrganisationFactory()):
        run_test(org, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    panel = _panel(user_b_client.get(reverse("media:creative")).content.decode())
    assert "<strong>Playful</strong>" in panel
    assert "Built-in presets across BakedBot brands" in panel
