"""The original seed-playbooks suite: seeding (success, skip, partial failure), the Weekly Deals
Video structure, required steps, schedule validation, installing for an organisation, errors."""

import copy

import pytest
from croniter import croniter

from bakedbot.errors import InvalidInput
from playbooks.library import PLAYBOOK_TEMPLATES, WEEKLY_DEALS_VIDEO
from playbooks.models import Playbook, PlaybookTemplate
from playbooks.services import SeedResult, install_playbook_template, seed_playbook_templates

pytestmark = pytest.mark.django_db

TEMPLATE_IDS = ["weekly-deals-video", "daily-product-spotlight", "competitor-price-alert"]


def test_it_seeds_every_template_into_an_empty_library():
    result = seed_playbook_templates()
    assert result == SeedResult(seeded=tuple(TEMPLATE_IDS), skipped=(), errors=())
    assert result.success is True
    assert sorted(PlaybookTemplate.objects.values_list("id", flat=True)) == sorted(TEMPLATE_IDS)


def test_it_skips_templates_that_exist_and_never_overwrites_them():
    PlaybookTemplate.objects.create(
        id="weekly-deals-video", name="Edited by hand", agent="craig", steps=[]
    )
    result = seed_playbook_templates()
    assert result.seeded == ("daily-product-spotlight", "competitor-price-alert")
    assert result.skipped == ("weekly-deals-video",)
    assert result.success is True
    assert PlaybookTemplate.objects.get(pk="weekly-deals-video").name == "Edited by hand"


def test_it_skips_everything_on_a_second_seed():
    seed_playbook_templates()
    result = seed_playbook_templates()
    assert result == SeedResult(seeded=(), skipped=tuple(TEMPLATE_IDS), errors=())
    assert result.success is True


def test_it_carries_on_past_a_template_that_fails():
    broken = copy.deepcopy(WEEKLY_DEALS_VIDEO)
    broken["id"] = "broken-template"
    broken["steps"][1]["type"] = "generate_hologram"
    result = seed_playbook_templates(
        definitions=[PLAYBOOK_TEMPLATES[1], broken, PLAYBOOK_TEMPLATES[2]]
    )
    assert result.success is False
    assert result.seeded == ("daily-product-spotlight", "competitor-price-alert")
    assert result.skipped == ()
    assert len(result.errors) == 1
    assert result.errors[0].startswith("broken-template: ")
    assert "Unknown step type “generate_hologram”" in result.errors[0]
    assert not PlaybookTemplate.objects.filter(pk="broken-template").exists()


def test_it_reports_a_template_with_a_bad_schedule_or_bad_params():
    bad_cron = {**copy.deepcopy(WEEKLY_DEALS_VIDEO), "id": "bad-cron", "schedule": "0 25 * * 1"}
    bad_params = copy.deepcopy(WEEKLY_DEALS_VIDEO)
    bad_params["id"] = "bad-params"
    bad_params["steps"][1]["params"]["provider"] = "midjourney"
    result = seed_playbook_templates(definitions=[bad_cron, bad_params, "not a template"])
    assert result.seeded == ()
    assert "bad-cron: " in result.errors[0] and "not a valid cron" in result.errors[0]
    assert "parameter “provider” must be one of veo, sora" in result.errors[1]
    assert "must be an object" in result.errors[2]


def test_weekly_deals_video_has_the_original_structure():
    seed_playbook_templates()
    template = PlaybookTemplate.objects.get(pk="weekly-deals-video")
    assert template.name == "Weekly Deals Video"
    assert template.agent == "craig"
    assert template.requires_approval is True
    assert template.schedule == "0 9 * * 1"
    assert [step["type"] for step in template.steps] == [
        "fetch_deals",
        "generate_video",
        "generate_caption",
        "review",
        "submit_approval",
        "notify",
    ]
    assert [step["id"] for step in template.steps] == [f"step-{n}" for n in range(1, 7)]
    assert template.steps[0]["params"] == {"source": "firestore"}


@pytest.mark.parametrize(
    ("template_id", "agent", "approval", "types"),
    [
        (
            "daily-product-spotlight",
            "craig",
            True,
            ["select_product", "generate_image", "generate_caption", "submit_approval"],
        ),
        (
            "competitor-price-alert",
            "ezal",
            False,
            ["fetch_competitor_prices", "analyze_pricing", "generate_video", "notify"],
        ),
    ],
)
def test_the_other_templates_have_their_required_steps(template_id, agent, approval, types):
    seed_playbook_templates()
    template = PlaybookTemplate.objects.get(pk=template_id)
    assert template.agent == agent
    assert template.requires_approval is approval
    assert [step["type"] for step in template.steps] == types


def test_every_template_that_needs_approval_submits_for_it():
    for definition in PLAYBOOK_TEMPLATES:
        types = [step["type"] for step in definition["steps"]]
        assert ("submit_approval" in types) is definition["requires_approval"]


def test_every_template_schedule_is_a_valid_five_field_cron():
    for definition in PLAYBOOK_TEMPLATES:
        assert croniter.is_valid(definition["schedule"])
        assert len(definition["schedule"].split()) == 5
    weekly = croniter(WEEKLY_DEALS_VIDEO["schedule"])
    assert weekly.expanded[1] == [9] and weekly.expanded[4] == [1]  # Monday 09:00


def test_it_installs_a_template_for_an_organisation(org_a):
    seed_playbook_templates()
    result = install_playbook_template("weekly-deals-video", org_a.pk)
    playbook = Playbook.objects.get(pk=result.playbook_id)
    assert playbook.organisation == org_a
    assert playbook.template_id == "weekly-deals-video"
    assert playbook.enabled is True
    assert playbook.schedule == "0 9 * * 1"
    assert playbook.next_run_at is not None
    local = playbook.next_run_at.astimezone(org_a.tz)
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)


def test_installing_twice_answers_the_same_playbook(org_a):
    seed_playbook_templates()
    first = install_playbook_template("weekly-deals-video", org_a.pk)
    second = install_playbook_template("weekly-deals-video", org_a.pk)
    assert second == first
    assert Playbook.objects.count() == 1


def test_each_organisation_gets_its_own_installation(org_a, org_b):
    seed_playbook_templates()
    a = install_playbook_template("weekly-deals-video", org_a.pk)
    b = install_playbook_template("weekly-deals-video", org_b.pk)
    assert a.playbook_id != b.playbook_id


def test_installing_an_unseeded_template_says_how_to_fix_it(org_a):
    with pytest.raises(InvalidInput) as refused:
        install_playbook_template("weekly-deals-video", org_a.pk)
    error = refused.value.errors["template_id"]
    assert "does not exist" in error
    assert "/dashboard/ceo/playbooks" in error and "Seed Templates" in error
    assert Playbook.objects.count() == 0


def test_installing_for_an_unknown_organisation_fails_cleanly():
    seed_playbook_templates()
    with pytest.raises(InvalidInput) as refused:
        install_playbook_template("weekly-deals-video", "org_missing")
    assert refused.value.errors == {"org_id": "Organisation “org_missing” does not exist"}
    assert Playbook.objects.count() == 0
