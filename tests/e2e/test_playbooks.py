"""Playbooks in a real browser: the super admin seeds the template library and sees the toast;
an owner installs Weekly Deals Video, sees its cost estimate and next run, and edits its
schedule (an invalid cron is refused, naming the field); an owner runs it (Run now, executed by a
real django-q2 worker process through the real media service in simulate mode), finds the video
awaiting approval in the Creative Center, rejects it with a comment and re-runs the caption."""

import re

import pytest
from playwright.sync_api import expect

from costs.selectors import get_recent_media_events
from media.models import CreativeContent, GenerationJob, MediaAsset
from media.providers import video_duration, video_size
from playbooks.models import Playbook, PlaybookRun
from playbooks.services import seed_playbook_templates
from tests.media.providers.fakes import FakeProvider, Reply, Seen
from tests.media.qcluster import Workers
from tests.playbooks.helpers import make_shop

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_super_admin_seeds_the_templates_and_sees_the_toast(
    page, login, live_server, super_admin, tmp_path
):
    login(page, super_admin)
    page.goto(f"{live_server.url}/dashboard/ceo/playbooks")
    expect(page.get_by_text("The template library is empty")).to_be_visible()
    page.get_by_test_id("seed-templates").click()
    toast = page.locator(".toast")
    expect(toast).to_contain_text("Seeded 3")
    expect(toast).to_contain_text("skipped 0, errors 0")
    expect(page.locator("[data-testid=template-table] tbody tr")).to_have_count(3)
    expect(page.locator("tr[data-template=weekly-deals-video]")).to_contain_text("0 9 * * 1")
    page.screenshot(path=str(tmp_path / "playbooks-seeded.png"), full_page=True)
    page.get_by_test_id("seed-templates").click()
    expect(page.locator(".toast").last).to_contain_text("Seeded 0, skipped 3")


def test_an_owner_installs_weekly_deals_video_and_edits_its_schedule(
    page, login, live_server, owner_a, org_a, tmp_path
):
    seed_playbook_templates()
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/playbooks")
    page.get_by_test_id("install-weekly-deals-video").click()
    page.wait_for_url(re.compile(r"/dashboard/playbooks/pb_"))
    expect(page.locator(".toast")).to_contain_text("Playbook installed")
    expect(page.get_by_test_id("estimate-total")).to_have_text("$4.0018")
    expect(page.get_by_test_id("upcoming").locator("li").first).to_contain_text("09:00")
    expect(page.get_by_test_id("run-now")).to_be_visible()

    page.fill("#id_schedule", "0 9 * *")
    page.get_by_test_id("save-settings").click()
    expect(page.get_by_test_id("schedule-error")).to_contain_text("needs 5 fields")
    assert Playbook.objects.get(organisation=org_a).schedule == "0 9 * * 1"

    page.fill("#id_schedule", "30 7 * * 2")
    page.select_option("#param__step-2__provider", "sora")
    page.get_by_test_id("save-settings").click()
    expect(page.locator(".toast")).to_contain_text("settings saved")
    expect(page.get_by_test_id("upcoming").locator("li").first).to_contain_text("Tue")
    expect(page.get_by_test_id("estimate-total")).to_have_text("$1.2018")  # 12 s x $0.10 + caption
    page.screenshot(path=str(tmp_path / "playbook-detail.png"), full_page=True)

    page.goto(f"{live_server.url}/dashboard/playbooks")
    card = page.locator("[data-playbook=weekly-deals-video]")
    expect(card.get_by_test_id("estimate")).to_have_text("$1.2018")
    expect(page.get_by_test_id("install-weekly-deals-video")).to_have_count(0)
    expect(page.get_by_test_id("install-daily-product-spotlight")).to_be_visible()


# --- the whole story: seed, install, Run now in a real worker, approve or reject, re-run -------

RUN_WAIT_MS = 120_000
GUIDANCE = "Shorter, and mention Friday"


def _chat_reply(seen: Seen) -> Reply:
    """The caption model on a local fake OpenAI-compatible server: it follows the guidance."""
    prompt = seen.json["messages"][-1]["content"]
    if GUIDANCE in prompt:
        text = "Friday only: 20% off all flower."
    else:
        text = "This week at Alpha Brands: 20% off all flower, and gummies are 2 for $35."
    return Reply(
        json={
            "id": f"chatcmpl-{len(prompt)}",
            "choices": [
                {"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 50, "completion_tokens": 20},
        }
    )


@pytest.fixture
def caption_server():
    server = FakeProvider()
    server.on("POST", "/v1/chat/completions", _chat_reply, _chat_reply)
    yield server
    server.close()


@pytest.fixture
def worker(media_root, caption_server):
    """A real django-q2 worker: Veo simulated (no Google key), captions from the fake server."""
    pool = Workers(
        media_root=media_root,
        GEMINI_API_KEY="",
        OPENAI_API_KEY="test-key",
        OPENAI_BASE_URL=caption_server.url + "/v1",
        CAPTION_PROVIDER="openai",
    )
    pool.start()
    yield pool
    pool.stop_all()


def _wait_for_run(page, status: str = "succeeded"):
    progress = page.get_by_test_id("run-progress")
    expect(progress).to_have_attribute("data-run-status", status, timeout=RUN_WAIT_MS)
    return progress


def test_an_owner_runs_weekly_deals_video_rejects_it_and_reruns_the_caption(
    browser, page, login, live_server, super_admin, owner_a, org_a, worker, caption_server, tmp_path
):
    make_shop(org_a)

    # The super admin seeds the template library.
    admin = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    login(admin, super_admin)
    admin.goto(f"{live_server.url}/dashboard/ceo/playbooks")
    admin.get_by_test_id("seed-templates").click()
    expect(admin.locator(".toast")).to_contain_text("Seeded 3")
    admin.context.close()

    # The owner installs Weekly Deals Video and runs it now; a worker process runs it.
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/playbooks")
    page.get_by_test_id("install-weekly-deals-video").click()
    expect(page.get_by_test_id("estimate-total")).to_have_text("$4.0018")
    page.get_by_test_id("run-now").click()
    page.wait_for_url(re.compile(r"/dashboard/playbooks/runs/run_"))
    progress = _wait_for_run(page)
    expect(progress.locator("[data-step-status=succeeded]")).to_have_count(6)
    # The video's $4.00 and the caption's real text call, priced by the tokens the (fake) OpenAI
    # answer reported rather than the estimate's expected tokens.
    expect(progress.get_by_test_id("run-total")).to_have_text("$4.0001")
    video_step = progress.locator("[data-step=step-2]")
    expect(video_step.get_by_test_id("step-provider")).to_contain_text(
        "veo · veo-3.1-generate-preview, 10 s, 9:16"
    )
    expect(video_step.get_by_test_id("step-cost")).to_have_text("$4.00")
    expect(progress.get_by_test_id("run-caption")).to_contain_text("20% off all flower")
    expect(progress.get_by_test_id("run-caption")).to_contain_text("21+")
    page.screenshot(path=str(tmp_path / "playbook-run.png"), full_page=True)
    first_run = PlaybookRun.objects.get()
    assert first_run.triggered_by == "manual" and first_run.user == owner_a
    video_id = first_run.step_results.get(step_id="step-2").result["media_id"]
    asset = MediaAsset.objects.get(pk=video_id)
    with asset.file.open("rb") as handle:
        video = handle.read()
    assert video_duration(video) == pytest.approx(10, abs=0.1)
    assert video_size(video) == (360, 640)

    # The video waits for approval in the Creative Center, from the playbook.
    page.goto(f"{live_server.url}/dashboard/creative")
    queue = page.get_by_test_id("approvals")
    item = queue.get_by_test_id("pending-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Weekly Deals Video")
    expect(item).to_contain_text("This week at Alpha Brands: 20% off all flower")
    # The video plays in place, its thumbnail as the poster.
    expect(item.get_by_test_id("inline-video")).to_have_attribute(
        "poster", f"/dashboard/creative/media/{video_id}/thumbnail"
    )
    expect(item.get_by_test_id("source-link")).to_be_visible()
    page.screenshot(path=str(tmp_path / "playbook-awaiting-approval.png"), full_page=True)

    # The owner rejects it with a comment, and follows the link back to the run's re-run form.
    item.locator("textarea[name^=comment]").fill(GUIDANCE)
    item.get_by_test_id("reject").click()
    reviewed = queue.get_by_test_id("reviewed-item")
    expect(reviewed.get_by_test_id("review-status")).to_have_text("Rejected")
    expect(reviewed).to_contain_text(GUIDANCE)
    expect(queue.get_by_test_id("pending-item")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "playbook-rejected.png"), full_page=True)
    reviewed.get_by_test_id("rerun-link").click()
    page.wait_for_url(re.compile(rf"/dashboard/playbooks/runs/{first_run.pk}\?tenant=.*#rerun"))
    expect(page.get_by_test_id("rerun-rejection")).to_be_visible()
    expect(page.locator("[data-testid=submission][data-status=rejected]")).to_contain_text(GUIDANCE)
    expect(page.locator("#id_guidance")).to_have_value(GUIDANCE)
    expect(page.locator("#id_from_step")).to_have_value("step-3")
    page.screenshot(path=str(tmp_path / "playbook-rerun-form.png"), full_page=True)

    # Re-run from the caption: the deals and the video are reused, nothing is paid again.
    page.get_by_test_id("rerun").click()
    page.wait_for_url(re.compile(r"/dashboard/playbooks/runs/run_"))
    expect(page.locator(".toast")).to_contain_text("Re-running from step-3")
    progress = _wait_for_run(page)
    expect(progress.locator("[data-step-status=reused]")).to_have_count(2)
    expect(progress.locator("[data-step-status=succeeded]")).to_have_count(4)
    # Deals and video reused at $0; only the new caption's (simulated) text call is priced.
    expect(progress.get_by_test_id("run-total")).to_have_text("$0.0001")
    expect(progress.get_by_test_id("run-caption")).to_contain_text(
        "Friday only: 20% off all flower."
    )
    expect(progress.get_by_test_id("caption-guidance")).to_contain_text(GUIDANCE)
    page.screenshot(path=str(tmp_path / "playbook-rerun.png"), full_page=True)

    # The new caption with the same video is back in the approval queue.
    page.goto(f"{live_server.url}/dashboard/creative")
    item = page.get_by_test_id("approvals").get_by_test_id("pending-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Friday only: 20% off all flower.")
    # The video plays in place, its thumbnail as the poster.
    expect(item.get_by_test_id("inline-video")).to_have_attribute(
        "poster", f"/dashboard/creative/media/{video_id}/thumbnail"
    )

    rerun = PlaybookRun.objects.exclude(pk=first_run.pk).get()
    assert (rerun.rerun_of_id, rerun.rerun_from_step, rerun.variables) == (
        first_run.pk,
        "step-3",
        {"guidance": GUIDANCE},
    )
    assert dict(CreativeContent.objects.values_list("playbook_run_id", "status")) == {
        first_run.pk: "rejected",
        rerun.pk: "pending",
    }
    assert GenerationJob.objects.count() == 1  # one video, made once
    events = get_recent_media_events(org_a.pk, 10)
    assert [e.cost_micros for e in events if e.type == "video"] == [4_000_000]
    # Both captions were paid text calls, each recorded with its tokens.
    assert [e.simulated for e in events if e.type == "text"] == [False, False]
    first_prompt, second_prompt = (
        seen.json["messages"][-1]["content"]
        for seen in caption_server.seen("POST", "/v1/chat/completions")
    )
    assert GUIDANCE not in first_prompt and GUIDANCE in second_prompt
