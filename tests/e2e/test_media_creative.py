"""The Creative Center in a real browser, with a real django-q2 worker behind it: generate an
image in simulate mode and watch it go from the queue to the gallery with its cost; submit it
and approve it in the approval queue; pick a style preset and see the prompt that will be sent;
with JavaScript off, search a large preset library and generate with the preset found."""

import re

import pytest
from playwright.sync_api import expect

from costs.money import format_micros
from media.models import CreativeContent, GenerationJob
from media.services import generate_image, submit_content_for_approval
from presets.selectors import get_style_preset
from tests.media.helpers import priced_micros
from tests.presets.factories import make_preset

pytestmark = pytest.mark.django_db(transaction=True)

JOB_WAIT_MS = 90_000


def test_it_generates_an_image_watches_it_and_shows_it_in_the_gallery_with_its_cost(
    page, login, live_server, owner_a, org_a, worker, tmp_path
):
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/creative")
    expect(page.get_by_test_id("estimate-cost")).to_have_text("$0.039")
    expect(page.get_by_test_id("estimate-simulated")).to_be_visible()
    expect(page.locator("#id_provider option[value=imagen]")).to_be_disabled()
    expect(
        page.locator("[data-testid=provider-unavailable][data-provider=imagen]")
    ).to_contain_text("retired on 2026-08-17")
    expect(page.get_by_test_id("empty-state")).to_be_visible()

    # Gemini Pro costs more: the estimate follows the provider without a page load.
    page.select_option("#id_provider", "gemini-pro")
    expect(page.get_by_test_id("estimate-cost")).to_have_text("$0.134")
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.select_option("#id_provider", "gemini-flash")
    expect(page.get_by_test_id("estimate-cost")).to_have_text("$0.039")
    expect(page.locator(".htmx-request")).to_have_count(0)

    page.fill("#id_base_prompt", "A jar of Blue Dream on a sunlit kitchen counter")
    page.select_option("#id_aspect_ratio", "16:9")
    page.get_by_test_id("generate").click()

    job_card = page.get_by_test_id("job")
    expect(job_card).to_have_count(1)
    expect(job_card).to_contain_text("A jar of Blue Dream on a sunlit kitchen counter")
    expect(job_card.locator(".progress")).to_be_visible()
    page.screenshot(path=str(tmp_path / "creative-queued.png"), full_page=True)
    expect(job_card.get_by_test_id("job-status")).to_have_text("Done", timeout=JOB_WAIT_MS)
    expect(job_card.get_by_test_id("job-note")).to_contain_text("cost $0.039")

    # The finished job refreshes the gallery on its own.
    card = page.get_by_test_id("media-card")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("media-cost")).to_have_text("$0.039")
    expect(card.get_by_test_id("media-provider")).to_have_text("Gemini Flash Image")
    expect(card.get_by_test_id("media-status")).to_have_text("Ready")
    expect(card.get_by_test_id("simulated-badge")).to_be_visible()
    image = card.get_by_test_id("media-image")
    expect(image).to_be_visible()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("el => el.naturalWidth / el.naturalHeight") == pytest.approx(16 / 9, 0.01)
    with page.expect_download() as download:
        card.get_by_test_id("download").click()
    assert download.value.suggested_filename.endswith(".png")
    page.screenshot(path=str(tmp_path / "creative-gallery.png"), full_page=True)
    assert (tmp_path / "creative-gallery.png").stat().st_size > 10_000

    job = GenerationJob.objects.get()
    assert (job.status, job.cost_micros, job.simulated, job.params["aspect_ratio"]) == (
        "done",
        39_000,
        True,
        "16:9",
    )
    # Polling stopped once nothing was left running.
    expect(page.get_by_test_id("jobs-panel")).not_to_have_attribute("hx-trigger", re.compile("."))


def _wait_until_live(page) -> None:
    """Until htmx has processed a swapped-in form (it drops "htmx-added" as it does): a change
    made before that would reach no listener."""
    expect(page.locator("#composer")).not_to_have_class(re.compile("htmx-added"))


def test_it_prices_and_queues_the_chosen_image_size_and_video_resolution(
    page, login, live_server, member_a, org_a, media_root, shot
):
    one_k = format_micros(priced_micros("gemini-pro", image_size="1K"))
    four_k = format_micros(priced_micros("gemini-pro", image_size="4K"))
    login(page, member_a)
    page.goto(f"{live_server.url}/dashboard/creative")
    expect(page.locator("#id_image_size")).to_have_count(0)  # Gemini Flash makes one size

    page.select_option("#id_provider", "gemini-pro")
    size = page.locator("#id_image_size")
    expect(size).to_have_value("1K")
    expect(page.get_by_test_id("estimate-cost")).to_have_text(one_k)
    _wait_until_live(page)
    size.select_option("4K")
    expect(page.get_by_test_id("estimate-cost")).to_have_text(four_k)
    expect(page.get_by_test_id("estimate-dimensions")).to_contain_text("4K")
    expect(page.get_by_test_id("estimate-breakdown")).to_contain_text("4K image")
    page.fill("#id_base_prompt", "A jar of Blue Dream, poster size")
    shot(page, "creative-image-size-4k.png", full_page=True)
    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("job")).to_contain_text("Image · Gemini Pro Image · 4K")

    page.get_by_test_id("kind-video").click()
    resolution = page.locator("#id_resolution")
    expect(resolution).to_have_value("720p")
    _wait_until_live(page)
    resolution.select_option("1080p")
    expect(page.get_by_test_id("estimate-dimensions")).to_contain_text("1080p with audio")
    seconds = int(page.locator("#id_duration_seconds").input_value())
    expect(page.get_by_test_id("estimate-cost")).to_have_text(
        format_micros(priced_micros("veo", resolution="1080p", seconds=seconds))
    )
    page.fill("#id_base_prompt", "A slow pan over the greenhouse")
    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("job").first).to_contain_text("1080p")

    image, video = GenerationJob.objects.order_by("created_at")
    assert (image.params["image_size"], image.estimate_micros) == (
        "4K",
        priced_micros("gemini-pro", image_size="4K"),
    )
    assert video.params["resolution"] == "1080p"


def test_it_submits_a_gallery_item_and_approves_it_in_the_approval_queue(
    page, login, live_server, owner_a, org_a, media_root, tmp_path
):
    from_playbook = generate_image(
        org_a.pk, None, provider="gemini-flash", prompt="Weekly deals", aspect_ratio="1:1"
    )
    submit_content_for_approval(
        tenant_id=org_a.pk,
        title="Weekly deals · Mon 23 Nov",
        caption="20% off all flower this week.",
        platform="instagram",
        media_ids=[from_playbook.id],
        playbook_run_id="run_weekly",
        submitted_by=None,
    )
    mine = generate_image(
        org_a.pk, str(owner_a.pk), provider="gemini-pro", prompt="Gummies", aspect_ratio="4:5"
    )

    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/creative")
    queue = page.get_by_test_id("approvals")
    expect(queue.get_by_test_id("pending-item")).to_have_count(1)
    expect(queue.get_by_test_id("pending-count")).to_have_text("1 pending")

    card = page.locator(f"[data-testid=media-card][data-asset-id={mine.id}]")
    card.locator("summary", has_text="Submit for approval").click()
    card.locator("input[name=title]").fill("Gummy Friday")
    card.locator("select[name=platform]").select_option("tiktok")
    card.locator("textarea[name=caption]").fill("Mix and match any two.")
    card.get_by_test_id("submit-for-approval").click()
    expect(queue.get_by_test_id("pending-item")).to_have_count(2)
    expect(page.locator(".toast-success")).to_contain_text(
        "“Gummy Friday” is waiting for approval."
    )

    # Rejecting needs a reason.
    gummies = queue.locator("[data-testid=pending-item]", has_text="Gummy Friday")
    gummies.get_by_test_id("reject").click()
    expect(queue.get_by_test_id("review-error")).to_contain_text(
        "Say why “Gummy Friday” is rejected"
    )

    weekly = queue.locator("[data-testid=pending-item]", has_text="Weekly deals")
    expect(weekly).to_contain_text("Submitted by a scheduled playbook")
    page.screenshot(path=str(tmp_path / "approval-queue.png"), full_page=True)
    weekly.get_by_test_id("approve").click()
    expect(queue.get_by_test_id("pending-item")).to_have_count(1)
    reviewed = queue.locator("[data-testid=reviewed-item]", has_text="Weekly deals")
    expect(reviewed.get_by_test_id("review-status")).to_have_text("Approved")
    expect(page.locator(".toast-success").last).to_contain_text("approved")

    statuses = dict(CreativeContent.objects.values_list("title", "status"))
    assert statuses == {"Weekly deals · Mon 23 Nov": "approved", "Gummy Friday": "pending"}
    assert CreativeContent.objects.get(status="approved").reviewed_by == owner_a


def test_it_shows_the_composed_prompt_for_the_chosen_preset(
    page, login, live_server, member_a, org_a, media_root
):
    modern = get_style_preset(org_a.pk, "builtin-modern")
    login(page, member_a)
    page.goto(f"{live_server.url}/dashboard/creative")
    page.fill("#id_base_prompt", "Our new vape line")
    composed = page.locator("#composed-prompt")
    expect(composed.get_by_test_id("composed-text")).to_have_text("Our new vape line")

    page.locator(".preset-option", has_text=modern.name).click()
    expect(composed.get_by_test_id("composed-text")).to_have_text(
        f"Our new vape line. {modern.style_prompt}"
    )
    # The preset's default aspect ratio is chosen; the price does not change.
    expect(page.locator("#id_aspect_ratio")).to_have_value(modern.default_aspect_ratio)
    expect(page.get_by_test_id("estimate-cost")).to_have_text("$0.039")
    if modern.negative_prompt:
        expect(composed.get_by_test_id("composed-negative")).to_have_text(modern.negative_prompt)

    page.locator(".preset-option", has_text="No preset").click()
    expect(composed.get_by_test_id("composed-text")).to_have_text("Our new vape line")


def test_it_searches_the_presets_and_picks_one_with_javascript_off(
    browser, login, live_server, member_a, org_a, media_root, shot
):
    looks = {f"Look {n:02d}": make_preset(org_a, name=f"Look {n:02d}") for n in range(20)}
    context = browser.new_context(
        viewport={"width": 1360, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, member_a)
        page.goto(f"{live_server.url}/dashboard/creative")
        picker = page.get_by_test_id("preset-picker")
        expect(picker.locator(".preset-option", has_text="Look 19")).to_have_count(0)
        page.fill("#id_base_prompt", "Our new vape line")
        page.select_option("#id_aspect_ratio", "16:9")

        # Enter in the search box searches (the picker's button is the form's first).
        search = page.get_by_test_id("picker-search")
        search.fill("look 1")
        search.press("Enter")
        page.wait_for_url(re.compile(r"preset_q=look\+1"))
        expect(picker.get_by_test_id("picker-count")).to_have_text("10 matches.")
        search.fill("Look 19")
        page.get_by_test_id("picker-search-button").click()
        page.wait_for_url(re.compile(r"preset_q=Look\+19"))
        expect(picker.get_by_test_id("preset-option")).to_have_count(1 + 9)  # + the built-ins
        expect(page.locator("#id_base_prompt")).to_have_value("Our new vape line")
        expect(page.locator("#id_aspect_ratio")).to_have_value("16:9")

        picker.locator(".preset-option", has_text="Look 19").click()
        shot(page, "creative-preset-search-without-javascript.png", full_page=True)
        page.get_by_test_id("generate").click()
        page.wait_for_url(f"{live_server.url}/dashboard/creative")
        expect(page.get_by_text("Image queued.")).to_be_visible()
    finally:
        context.close()
    job = GenerationJob.objects.get()
    assert (job.preset_id, job.prompt, job.params["aspect_ratio"]) == (
        looks["Look 19"],
        "Our new vape line",
        "16:9",
    )


def test_it_searches_the_presets_as_one_types_with_javascript(
    page, login, live_server, member_a, org_a, media_root
):
    for n in range(20):
        make_preset(org_a, name=f"Look {n:02d}")
    login(page, member_a)
    page.goto(f"{live_server.url}/dashboard/creative")
    picker = page.get_by_test_id("preset-picker")
    search = page.get_by_test_id("picker-search")
    search.fill("Look 19")
    expect(picker.get_by_test_id("picker-count")).to_have_text("1 match.")
    picker.locator(".preset-option", has_text="Look 19").click()
    # Enter searches in place: it neither generates nor leaves the page.
    search.fill("Look 0")
    search.press("Enter")
    expect(picker.get_by_test_id("picker-count")).to_have_text("10 matches.")
    search.fill("Look 15")
    page.get_by_test_id("picker-search-button").click()
    expect(picker.get_by_test_id("picker-count")).to_have_text("1 match.")
    chosen = picker.locator(".preset-option", has_text="Look 19").locator("input")
    expect(chosen).to_be_checked()  # the chosen one stays listed and checked
    assert page.url == f"{live_server.url}/dashboard/creative"
    assert not GenerationJob.objects.exists()
