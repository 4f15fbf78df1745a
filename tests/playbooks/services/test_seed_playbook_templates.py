"""The original seed-playbooks suite (``seed_playbook_templates``): seeding (success, skip,
partial failure), the Weekly Deals Video structure, required steps, schedule validation.
Its installing tests are in ``test_install_playbook_template.py``."""

import copy

import pytest
from croniter import croniter

from playbooks.library import PLAYBOOK_TEMPLATES, WEEKLY_DEALS_VIDEO
from playbooks.models import PlaybookTemplate
from playbooks.services import SeedResult, seed_playbook_templates

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
    assert "parameter “provider”: Must be one of: veo, sora" in result.errors[1]
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
