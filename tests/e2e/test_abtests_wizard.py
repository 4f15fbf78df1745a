"""In Chromium: an owner builds a test in the four-step wizard (presets, a generated image with
its cost, the split, the metrics), goes back without losing anything, starts it, enters metrics
and sees the winner."""

import pytest

from abtests.models import MediaABTest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _step(page, number):
    page.locator(f"[data-testid=wizard][data-step='{number}']").wait_for()


def _fill_metrics(page, variant, impressions, clicks):
    form = page.locator("[data-testid=metrics-form]").filter(has_text=variant)
    form.locator("input[name=impressions]").fill(str(impressions))
    form.locator("input[name=clicks]").fill(str(clicks))
    form.get_by_role("button", name=f"Save {variant}").click()
    page.get_by_text(f"Metrics for {variant} saved.").wait_for()


def test_it_completes_the_wizard_and_shows_the_winner(page, login, live_server, owner_a, tmp_path):
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/abtests")
    page.get_by_test_id("new-test").first.click()

    # 1. Basics (the server refuses a missing name first).
    _step(page, 1)
    page.fill("#id_base_prompt", "A glass jar of flower on a sunlit counter")
    page.get_by_test_id("next").click()
    page.get_by_test_id("form-errors").wait_for()
    page.fill("#id_name", "Spring drop hero image")
    page.get_by_test_id("next").click()

    # 2. Variants: presets, a prompt, one generated image with its cost.
    _step(page, 2)
    assert "Each image costs about" in page.get_by_test_id("estimate").inner_text()
    page.locator("[data-testid=variant-0] input[value=builtin-professional]").check()
    page.fill("[name=variant-1-name]", "Playful")
    page.locator("[data-testid=variant-1] input[value=builtin-playful]").check()
    page.fill("[name=variant-1-custom_prompt]", "bright confetti colours")
    page.get_by_test_id("generate-1").click()
    page.locator("[data-testid=variant-1] [data-testid=variant-media]").wait_for()
    assert "Generated · $" in page.get_by_test_id("variant-1").inner_text()
    page.screenshot(path=str(tmp_path / "abtest-wizard-variants.png"), full_page=True)
    page.get_by_test_id("next").click()

    # 3. Split: a wrong total is refused; Back and Next keep what was entered.
    _step(page, 3)
    inputs = page.locator("input.wizard-percent")
    inputs.nth(0).fill("60")
    inputs.nth(1).fill("30")
    page.get_by_test_id("next").click()
    page.get_by_text("The split must total 100% (it totals 90%).").wait_for()
    inputs.nth(1).fill("40")
    page.get_by_test_id("back").click()
    _step(page, 2)
    assert page.input_value("[name=variant-1-custom_prompt]") == "bright confetti colours"
    assert page.locator("[data-testid=variant-1] [data-testid=variant-media]").count() == 1
    page.get_by_test_id("next").click()
    _step(page, 3)
    assert page.locator("input.wizard-percent").nth(0).input_value() == "60"
    page.get_by_test_id("next").click()

    # 4. Metrics and review, then start.
    _step(page, 4)
    review = page.get_by_test_id("review").inner_text()
    assert "Spring drop hero image" in review
    page.get_by_test_id("start").click()
    page.wait_for_url("**/dashboard/abtests/abt_*")
    assert page.get_by_test_id("status").inner_text() == "Running"

    _fill_metrics(page, "Control", 30000, 1500)
    _fill_metrics(page, "Playful", 20000, 1250)
    banner = page.get_by_test_id("winner-banner").inner_text()
    assert "Winner: Playful" in banner
    page.screenshot(path=str(tmp_path / "abtest-wizard-winner.png"), full_page=True)

    test = MediaABTest.objects.get()
    assert [v.split_percent for v in test.variants.all()] == [60, 40]
    assert test.variants.get(name="Playful").media_cost_micros > 0
