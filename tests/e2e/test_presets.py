"""Presets in a real browser: the create dialog with its live preview, the gallery's search, and
publishing a preset that another organisation then copies."""

import re

import pytest
from playwright.sync_api import expect

from presets.models import StylePreset
from presets.services import set_style_preset_public
from tests.presets.factories import make_preset

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_creates_a_preset_in_the_dialog_and_shows_it_in_the_gallery(
    page, login, live_server, owner_a, org_a, tmp_path
):
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/presets")
    page.get_by_test_id("new-preset").click()
    dialog = page.get_by_test_id("preset-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator(".modal-backdrop")).to_be_visible()

    # Saving an empty form keeps the dialog open and names the missing fields.
    page.get_by_test_id("save-preset").click()
    expect(dialog.locator("#err_name")).to_have_text("Name is required.")
    expect(dialog.locator("#err_style_prompt")).to_have_text("Style prompt is required.")

    preview = dialog.locator("#preset-preview")
    page.fill("#id_name", "Harbor sunset")
    page.fill("#id_style_prompt", "Golden hour on the waterfront, warm haze.")
    page.fill("#id_primary_color", "#ff7a00")
    expect(preview.locator('[data-colour="#FF7A00"]')).to_have_count(1)
    page.uncheck("input[name=aspect_ratios][value='1:1']")
    page.check("input[name=aspect_ratios][value='9:16']")
    expect(preview.locator(".preset-frame.default")).to_have_attribute("data-ratio", "9:16")
    page.select_option("#id_font_weight", "bold")
    expect(preview.get_by_test_id("type-sample")).to_have_class(re.compile(r"weight-bold"))
    page.fill("#id_tags", "sunset, waterfront")
    dialog.screenshot(path=str(tmp_path / "preset-dialog.png"))

    page.get_by_test_id("save-preset").click()
    page.wait_for_url(f"{live_server.url}/dashboard/presets")
    expect(page.locator(".toast-success")).to_contain_text("Preset “Harbor sunset” created.")
    card = page.locator('[data-testid=preset-card]:has(h3:text-is("Harbor sunset"))')
    expect(card).to_be_visible()
    expect(card.locator('[data-colour="#FF7A00"]')).to_be_visible()
    expect(card.locator(".preset-frame")).to_have_count(1)
    expect(card.get_by_test_id("type-sample")).to_have_css("font-weight", "700")
    expect(card.locator(".preset-tags")).to_contain_text("#waterfront")
    page.screenshot(path=str(tmp_path / "preset-gallery.png"), full_page=True)
    assert (tmp_path / "preset-gallery.png").stat().st_size > 10_000

    preset = StylePreset.objects.get(tenant=org_a)
    assert (preset.name, preset.aspect_ratios, preset.font_weight) == (
        "Harbor sunset",
        ["9:16"],
        "bold",
    )

    # Search narrows the gallery as one types; a tag link filters by tag.
    page.fill("input[name=q]", "harbor")
    expect(page.locator("[data-testid=preset-card]")).to_have_count(1)
    assert "q=harbor" in page.url
    page.fill("input[name=q]", "")
    card.locator(".preset-tags a", has_text="#sunset").click()
    expect(page.locator("[data-testid=preset-card]")).to_have_count(1)


def test_it_publishes_a_preset_that_another_organisation_copies(
    browser, page, login, live_server, owner_a, org_a, user_b, org_b, tmp_path
):
    preset_id = make_preset(org_a, name="Alpha glow")
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/presets")
    card = page.locator(f"#preset-{preset_id}")
    card.get_by_role("button", name="Publish").click()
    expect(card.get_by_test_id("public-pill")).to_be_visible()
    expect(page.locator(".toast-success")).to_contain_text("is published")

    other = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    login(other, user_b)
    other.goto(f"{live_server.url}/dashboard/presets/published")
    published = other.locator(f"#preset-{preset_id}")
    expect(published).to_contain_text(f"by {org_a.name}")
    published.get_by_role("button", name="Copy to my library").click()
    other.wait_for_url(f"{live_server.url}/dashboard/presets")
    expect(other.locator(".toast-success")).to_contain_text("Copied “Alpha glow”")
    copy = StylePreset.objects.get(tenant=org_b)
    expect(other.locator(f"#preset-{copy.pk}")).to_be_visible()
    other.screenshot(path=str(tmp_path / "preset-copied.png"), full_page=True)
    other.context.close()

    # Withdrawing the original leaves the copy alone.
    set_style_preset_public(tenant_id=org_a.pk, preset_id=preset_id, public=False)
    assert StylePreset.objects.get(pk=copy.pk).name == "Alpha glow"


def test_it_lets_an_owner_delete_a_custom_preset_from_its_card(
    page, login, live_server, owner_a, org_a
):
    preset_id = make_preset(org_a, name="Old look")
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/presets")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#preset-{preset_id}").get_by_role("button", name="Delete").click()
    expect(page.locator(f"#preset-{preset_id}")).to_have_count(0)
    expect(page.locator(".toast-success")).to_contain_text("Preset “Old look” deleted.")
    assert not StylePreset.objects.filter(pk=preset_id).exists()


def test_it_serves_a_gallery_and_dialog_that_work_without_javascript(
    browser, login, live_server, member_a, org_a, tmp_path
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1360, "height": 900}
    )
    page = context.new_page()
    login(page, member_a)
    page.goto(f"{live_server.url}/dashboard/presets")
    page.get_by_test_id("new-preset").click()
    page.wait_for_url(f"{live_server.url}/dashboard/presets/new")
    page.fill("#id_name", "No-JS look")
    page.fill("#id_style_prompt", "Plain and simple.")
    page.fill("#id_accent_color", "#123abc")
    page.fill("#id_tags", "plain")
    page.screenshot(path=str(tmp_path / "preset-dialog-page.png"), full_page=True)
    page.get_by_test_id("save-preset").click()
    page.wait_for_url(f"{live_server.url}/dashboard/presets")
    expect(page.locator('[data-testid=preset-card] h3:text-is("No-JS look")')).to_be_visible()

    page.fill("input[name=q]", "no-js")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"q=no-js"))
    expect(page.locator("[data-testid=preset-card]")).to_have_count(1)
    assert StylePreset.objects.get(tenant=org_a).accent_color == "#123ABC"
    context.close()
