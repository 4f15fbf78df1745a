"""Generating a draft variant's image through the media service: the image and its tracked cost
land on the variant; refusals (prompt, settings, budget) change nothing."""

import pytest

from abtests import services
from abtests.models import MediaABTestVariant
from abtests.selectors import ABTestNotFound
from costs.budgets import update_media_budget
from costs.selectors import get_recent_media_events
from tests.abtests.conftest import make_test, variant_ids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _generate(test, variant_id, **overrides):
    options = {"user_id": None, "provider": "gemini-flash", "aspect_ratio": "1:1"} | overrides
    return services.generate_variant_media(test.tenant_id, test.pk, variant_id, **options)


def test_it_keeps_the_image_and_its_cost_on_the_variant(draft_test):
    control, _ = variant_ids(draft_test)
    result = _generate(draft_test, control)
    assert result.success, result.error
    variant = MediaABTestVariant.objects.get(pk=control)
    assert variant.media_ref.startswith("/dashboard/creative/media/")
    events = get_recent_media_events(draft_test.tenant_id)
    assert [e.content_id for e in events] == [control]
    assert variant.media_cost_micros == events[0].cost_micros > 0
    # The prompt is the base prompt with the variant's own, styled by its preset.
    assert events[0].prompt.startswith("A jar of flower on a sunlit counter")


def test_it_adds_up_every_image_made_for_a_variant(draft_test):
    control, _ = variant_ids(draft_test)
    _generate(draft_test, control)
    _generate(draft_test, control, provider="gemini-pro")
    events = get_recent_media_events(draft_test.tenant_id)
    assert len(events) == 2
    variant = MediaABTestVariant.objects.get(pk=control)
    assert variant.media_cost_micros == sum(e.cost_micros for e in events)


def test_it_needs_a_prompt(org_a):
    test = make_test(org_a, base_prompt="", variants=[{"name": "A", "preset_id": "builtin-modern"}])
    result = _generate(test, variant_ids(test)[0])
    assert result.error == {"generate": "Write a base prompt or this variant's prompt first."}


def test_it_reports_bad_generation_settings_by_field(draft_test):
    result = _generate(draft_test, variant_ids(draft_test)[0], aspect_ratio="7:3")
    assert "7:3 is not one of them" in result.error["aspect_ratio"]
    assert MediaABTestVariant.objects.filter(media_ref="").count() == 2


def test_it_is_refused_by_the_budget(draft_test):
    update_media_budget(draft_test.tenant_id, {"daily_limit": "0.01"})
    result = _generate(draft_test, variant_ids(draft_test)[0])
    assert result.error["generate"].startswith("The daily budget of $0.01 would be exceeded")
    assert not MediaABTestVariant.objects.exclude(media_ref="").exists()


def test_it_generates_only_for_drafts(running_test):
    result = _generate(running_test, variant_ids(running_test)[0])
    assert result.error == {"generate": "Media is generated while a test is a draft."}


def test_it_hides_another_tenants_variant(org_b, draft_test):
    with pytest.raises(ABTestNotFound):
        services.generate_variant_media(
            org_b.pk,
            draft_test.pk,
            variant_ids(draft_test)[0],
            user_id=None,
            provider="gemini-flash",
            aspect_ratio="1:1",
        )
