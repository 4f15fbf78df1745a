"""The everyday pages in Chromium: the bell in the header, approving and rejecting several
items at once, the error pages, the API token form's redirect, and every page fitting 1280 px.
Each test keeps a screenshot (under its tmp_path) as an artefact."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bakedbot.models import Notice
from media.models import CreativeContent
from media.services import generate_image, generate_video, submit_content_for_approval

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(org, title, *, platform="instagram", video=False):
    make = generate_video if video else generate_image
    options = {"duration_seconds": 4} if video else {}
    provider = "veo" if video else "gemini-flash"
    asset = make(org.pk, None, provider=provider, prompt=title, aspect_ratio="16:9", **options)
    return submit_content_for_approval(
        tenant_id=org.pk, title=title, caption="", platform=platform, media_ids=[asset.id]
    ).id


def test_it_rings_the_bell_and_the_notice_goes_once_handled(
    page, login, live_server, owner_a, org_a, media_root, tmp_path
):
    content = _submit(org_a, "Weekend drop")
    login(page, owner_a)
    bell = page.get_by_test_id("bell")
    expect(bell.get_by_test_id("bell-count")).to_have_text("1")
    bell.get_by_test_id("bell-button").click()
    expect(bell.get_by_test_id("bell-item")).to_contain_text(
        "Waiting for your approval: Weekend drop"
    )
    page.screenshot(path=str(tmp_path / "bell.png"))
    bell.get_by_test_id("bell-mark-read").click()
    expect(page.get_by_test_id("bell").get_by_test_id("bell-count")).to_have_count(0)
    # Opening the notice goes to the queue; approving it takes the notice out of the bell.
    page.get_by_test_id("bell").get_by_test_id("bell-button").click()
    page.get_by_test_id("bell").get_by_test_id("bell-open").click()
    page.wait_for_url(f"{live_server.url}/dashboard/creative#approvals")
    item = page.locator(f"[data-testid=pending-item][data-content-id={content}]")
    item.get_by_test_id("approve").click()
    expect(page.get_by_test_id("no-pending")).to_be_visible()
    page.reload()
    page.get_by_test_id("bell").get_by_test_id("bell-button").click()
    expect(page.get_by_test_id("bell-empty")).to_be_visible()
    assert Notice.objects.get(key=f"approval:{content}").resolved_at is not None


def test_it_reviews_several_items_at_once_with_a_reason_for_each_rejection(
    page, login, live_server, owner_a, org_a, media_root, tmp_path
):
    ids = [_submit(org_a, f"Post {n}") for n in range(3)]
    clip = _submit(org_a, "Clip", platform="tiktok", video=True)
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/creative#approvals")
    queue = page.get_by_test_id("approvals")
    expect(queue.get_by_test_id("inline-video")).to_have_count(1)
    queue.get_by_test_id("filter-platform").select_option("tiktok")
    expect(queue.get_by_test_id("pending-item")).to_have_count(1)
    queue = page.get_by_test_id("approvals")
    queue.get_by_test_id("filter-platform").select_option("")
    expect(queue.get_by_test_id("pending-item")).to_have_count(4)
    for content_id in ids[:2]:
        queue.locator(f"[data-content-id={content_id}] [data-testid=select]").check()
    queue.locator(f"#comment-{ids[0]}").fill("Off brand")
    queue.get_by_test_id("bulk-reject").click()
    expect(queue.get_by_test_id("review-error")).to_contain_text("Say why “Post 1” is rejected")
    assert set(CreativeContent.objects.values_list("status", flat=True)) == {"pending"}
    queue = page.get_by_test_id("approvals")
    queue.locator(f"#comment-{ids[1]}").fill("Missing the 21+ line")
    page.screenshot(path=str(tmp_path / "bulk-review.png"), full_page=True)
    queue.get_by_test_id("bulk-reject").click()
    expect(page.locator(".toast-success").last).to_contain_text("2 items rejected.")
    statuses = dict(CreativeContent.objects.values_list("pk", "status"))
    assert [statuses[i] for i in [*ids, clip]] == ["rejected", "rejected", "pending", "pending"]


def test_it_shows_error_pages_with_the_way_back(page, login, live_server, member_a, tmp_path):
    login(page, member_a)
    response = page.goto(f"{live_server.url}/dashboard/api-tokens")
    assert response.status == 403
    expect(page.get_by_test_id("error-page")).to_contain_text(
        "Organisation owners manage API tokens"
    )
    expect(page.get_by_test_id("sidebar")).to_be_visible()
    page.screenshot(path=str(tmp_path / "error-403.png"))
    response = page.goto(f"{live_server.url}/dashboard/nowhere")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_contain_text("Page not found")
    page.screenshot(path=str(tmp_path / "error-404.png"))
    page.get_by_test_id("error-home").click()
    page.wait_for_url(f"{live_server.url}/dashboard")


def test_it_redirects_after_making_a_token_so_a_reload_makes_none(
    page, login, live_server, owner_a, tmp_path
):
    from bakedbot.models import ApiToken

    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/api-tokens")
    page.fill("#id_name", "Looker export")
    page.click("text=Create token")
    page.wait_for_url(f"{live_server.url}/dashboard/api-tokens")
    assert page.input_value("[data-testid=secret]").startswith("bb_")
    page.screenshot(path=str(tmp_path / "token-created.png"))
    page.reload()
    expect(page.get_by_test_id("secret")).to_have_count(0)
    assert ApiToken.objects.count() == 1


def test_it_fits_every_page_in_1280_px(
    browser, login, live_server, owner_a, super_admin, org_a, media_root, tmp_path
):
    from tests.abtests.conftest import make_test, record, start, variant_ids

    variants = [{"name": f"Look {n}", "preset_id": "builtin-professional"} for n in range(10)]
    test = start(make_test(org_a, variants=variants))
    for n, variant in enumerate(variant_ids(test)):
        record(test, variant, impressions=20_000, clicks=1000 + 20 * n, conversions=90 + n)
    _submit(org_a, "A very long title that should wrap rather than push the page sideways " * 2)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, owner_a)
    urls = [
        "/dashboard",
        "/dashboard/media",
        "/dashboard/creative",
        "/dashboard/presets",
        "/dashboard/presets/published",
        "/dashboard/abtests",
        f"/dashboard/abtests/{test.pk}",
        "/dashboard/abtests/new",
        "/dashboard/abtests/recommendations",
        "/dashboard/playbooks",
        "/dashboard/api-tokens",
        "/dashboard/notifications",
        reverse("media:creative_gallery"),
    ]
    wide = {}
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1280:
            wide[url] = width
            page.screenshot(path=str(tmp_path / f"wide-{len(wide)}.png"), full_page=True)
    page.goto(f"{live_server.url}/dashboard/abtests/{test.pk}")
    page.screenshot(path=str(tmp_path / "abtest-results-1280.png"), full_page=True)
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, super_admin)
    for url in [
        "/dashboard",
        "/dashboard/ceo",
        "/dashboard/ceo/playbooks",
        "/dashboard/creative",
    ]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1280:
            wide[f"super admin {url}"] = width
    context.close()
    assert wide == {}
