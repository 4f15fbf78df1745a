"""``abtests:wizard`` — the draft's wizard steps on the server: each step validated and saved to
the draft, Back and Next keeping what was entered, a draft resumed at its step, and who may do
what. (Generating a variant's image: ``test_variant_media.py``.)"""

import re

import pytest
from django.urls import reverse

from presets.selectors import PICKER_SIZE
from tests.abtests.conftest import make_test, variant_ids, variants_post, wizard_url
from tests.presets.factories import make_preset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_it_starts_step_two_with_a_control_and_a_variant(member_a_client, org_a):
    test = make_test(org_a, variants=[], wizard_step=2)
    html = member_a_client.get(wizard_url(test, 2)).content.decode()
    assert 'name="variant-0-name" value="Control"' in html
    assert 'name="variant-1-name" value="Variant B"' in html
    assert html.count('data-testid="preset-picker"') == 2
    assert 'data-testid="estimate"' in html and "simulated (no API key)" in html


def test_it_saves_the_variants_and_moves_on(member_a_client, org_a):
    test = make_test(org_a, variants=[], wizard_step=2)
    rows = [
        {"name": "Control", "preset_id": "builtin-professional", "custom_prompt": ""},
        {"name": "Playful", "preset_id": "builtin-playful", "custom_prompt": "bright"},
        {"name": "Luxe", "preset_id": "", "custom_prompt": "gold foil"},
    ]
    response = member_a_client.post(wizard_url(test), variants_post(rows))
    assert response.status_code == 302 and "step=3" in response["Location"]
    test.refresh_from_db()
    assert test.wizard_step == 3
    assert [(v.name, v.split_percent) for v in test.variants.all()] == [
        ("Control", 34),
        ("Playful", 33),
        ("Luxe", 33),
    ]


def test_it_refuses_step_two_without_two_usable_variants(member_a_client, org_a):
    test = make_test(org_a, variants=[], wizard_step=2)
    rows = [{"name": "Control", "preset_id": "", "custom_prompt": ""}]
    response = member_a_client.post(wizard_url(test), variants_post(rows))
    html = response.content.decode()
    assert response.status_code == 400
    assert "A test needs at least two variants." in html
    assert "Choose a preset or write a prompt." in html
    assert not test.variants.exists()


def test_it_adds_and_removes_variant_rows_without_losing_input(member_a_client, org_a):
    test = make_test(org_a, variants=[], wizard_step=2)
    rows = [
        {"name": "Control", "preset_id": "builtin-modern", "custom_prompt": "typed"},
        {"name": "Variant B", "preset_id": "", "custom_prompt": "also typed"},
    ]
    added = member_a_client.post(wizard_url(test), variants_post(rows, "add")).content.decode()
    assert 'name="variant-2-name" value="Variant C"' in added
    assert "also typed" in added
    removed = member_a_client.post(wizard_url(test), variants_post(rows, "remove-0"))
    removed = removed.content.decode()
    assert 'name="variant-0-name" value="Variant B"' in removed
    assert "typed</textarea>" in removed and 'value="Control"' not in removed


def test_it_validates_and_saves_the_split(member_a_client, draft_test):
    draft_test.wizard_step = 3
    draft_test.save()
    control, playful = variant_ids(draft_test)
    bad = member_a_client.post(
        wizard_url(draft_test),
        {"step": "3", "action": "next", f"split-{control}": "70", f"split-{playful}": "20"},
    )
    assert bad.status_code == 400
    assert "The split must total 100% (it totals 90%)." in bad.content.decode()
    assert 'value="20"' in bad.content.decode()
    good = member_a_client.post(
        wizard_url(draft_test),
        {"step": "3", "action": "next", f"split-{control}": "70", f"split-{playful}": "30"},
    )
    assert good.status_code == 302
    assert list(draft_test.variants.values_list("split_percent", flat=True)) == [70, 30]


def test_back_keeps_an_invalid_step_for_later(member_a_client, draft_test):
    draft_test.wizard_step = 3
    draft_test.save()
    control, playful = variant_ids(draft_test)
    response = member_a_client.post(
        wizard_url(draft_test),
        {"step": "3", "action": "back", f"split-{control}": "99", f"split-{playful}": "9"},
    )
    assert response.status_code == 302 and "step=2" in response["Location"]
    html = member_a_client.get(wizard_url(draft_test, 3)).content.decode()
    assert 'value="99"' in html and 'value="9"' in html
    assert "it totals 108%" in html
    assert list(draft_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_it_keeps_the_split_when_the_variants_do_not_change(member_a_client, draft_test):
    control, playful = draft_test.variants.all()
    draft_test.variants.filter(pk=control.pk).update(split_percent=80)
    draft_test.variants.filter(pk=playful.pk).update(split_percent=20)
    rows = [
        {"id": v.pk, "name": v.name, "preset_id": v.preset_id, "custom_prompt": v.custom_prompt}
        for v in (control, playful)
    ]
    member_a_client.post(wizard_url(draft_test), variants_post(rows))
    assert list(draft_test.variants.values_list("split_percent", flat=True)) == [80, 20]


def test_it_never_skips_ahead_of_the_furthest_step(member_a_client, org_a):
    test = make_test(org_a, wizard_step=2)
    html = member_a_client.get(wizard_url(test, 4)).content.decode()
    assert 'data-step="2"' in html


def test_step_four_refuses_a_primary_metric_it_does_not_collect(member_a_client, draft_test):
    draft_test.wizard_step = 4
    draft_test.save()
    response = member_a_client.post(
        wizard_url(draft_test),
        {
            "step": "4",
            "action": "save",
            "metrics": ["impressions", "clicks"],
            "primary_metric": "cvr",
            "confidence_threshold": "0.95",
            "minimum_detectable_effect": "0.01",
            "adjustment": "holm",
        },
    )
    assert response.status_code == 400
    assert "The primary metric CVR needs conversions." in response.content.decode()


def _decision(action):
    return {
        "step": "4",
        "action": action,
        "metrics": ["impressions", "clicks", "cost"],
        "primary_metric": "ctr",
        "confidence_threshold": "0.99",
        "minimum_detectable_effect": "0.005",
        "adjustment": "bh",
    }


def test_a_member_saves_the_draft_but_only_an_owner_starts_it(
    member_a_client, owner_a_client, draft_test
):
    draft_test.wizard_step = 4
    draft_test.save()
    assert member_a_client.post(wizard_url(draft_test), _decision("start")).status_code == 403
    saved = member_a_client.post(wizard_url(draft_test), _decision("save"))
    assert saved.status_code == 302
    draft_test.refresh_from_db()
    assert (draft_test.status, draft_test.metrics, draft_test.adjustment) == (
        "draft",
        ["impressions", "clicks", "cost"],
        "bh",
    )
    started = owner_a_client.post(wizard_url(draft_test), _decision("start"))
    assert started["Location"] == reverse("abtests:detail", args=[draft_test.pk])
    draft_test.refresh_from_db()
    assert draft_test.status == "running"


def test_it_swaps_only_the_wizard_for_htmx_and_pushes_the_url(member_a_client, draft_test):
    response = member_a_client.post(
        wizard_url(draft_test),
        {"step": "1", "action": "next", "name": "Renamed", "base_prompt": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="wizard"')
    assert response["HX-Push-Url"] == wizard_url(draft_test, 2)


def test_it_keeps_a_super_admin_in_the_organisation(super_admin_client, draft_test):
    tenant = draft_test.tenant_id
    response = super_admin_client.post(
        f"{wizard_url(draft_test)}?tenant={tenant}",
        {"step": "1", "action": "next", "name": "Renamed", "base_prompt": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Push-Url"].endswith(f"step=2&tenant={tenant}")
    html = response.content.decode()
    assert f'action="{wizard_url(draft_test)}?tenant={tenant}"' in html
    draft_test.refresh_from_db()
    assert draft_test.name == "Renamed"


def test_a_started_test_leaves_the_wizard(member_a_client, running_test):
    response = member_a_client.get(wizard_url(running_test, 2))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("abtests:detail", args=[running_test.pk]))


def test_it_guards_the_wizard_like_every_tenant_page(
    client, user_b_client, super_admin_client, org_a, draft_test
):
    for url in (reverse("abtests:new"), wizard_url(draft_test, 1)):
        assert client.get(url).status_code == 302
    assert super_admin_client.get(wizard_url(draft_test, 1)).status_code == 403
    assert user_b_client.get(wizard_url(draft_test, 1)).status_code == 404
    assert user_b_client.post(wizard_url(draft_test), {"step": "1", "name": "x"}).status_code == 404
    draft_test.refresh_from_db()
    assert draft_test.name == "Spring drop hero image"


@pytest.mark.parametrize("action", ["remove-abc", "remove-", "remove-²", "remove-7", "generate-"])
def test_it_refuses_an_action_for_a_row_that_is_not_there(member_a_client, org_a, action):
    test = make_test(org_a, variants=[], wizard_step=2)
    rows = [
        {"name": "Control", "preset_id": "builtin-modern", "custom_prompt": ""},
        {"name": "Variant B", "preset_id": "", "custom_prompt": "typed"},
    ]
    response = member_a_client.post(wizard_url(test), variants_post(rows, action))
    assert response.status_code == 400
    html = response.content.decode()
    assert "That variant row is not on the form; reload the page." in html
    assert "typed</textarea>" in html  # what was typed is kept
    assert not test.variants.exists()


def _picker_names(html: str, row: int) -> list[str]:
    """The custom presets row ``row``'s picker lists."""
    custom = html.split(f'id="picker-custom-variant-{row}-preset_id"')[1].split(">Built-in<")[0]
    return re.findall(r'class="preset-option-name"[^>]*>([^<]+)<', custom)


def test_a_pickers_search_button_lists_its_matches_without_javascript(
    member_a_client, org_a, org_b
):
    for n in range(PICKER_SIZE + 8):
        make_preset(org_a, name=f"Look {n:02d}")
    make_preset(org_b, name="Look 19 of Summit")
    test = make_test(org_a, variants=[], wizard_step=2)
    rows = [
        {"name": "Control", "preset_id": "builtin-modern", "custom_prompt": "typed first"},
        {"name": "Moody", "preset_id": "", "custom_prompt": "typed second"},
    ]
    step = wizard_url(test, 2)
    html = member_a_client.get(step).content.decode()
    assert "Look 19" not in html
    assert 'name="preset_search" value="variant-1-preset_id"' in html
    assert 'name="variant-1-preset_q"' in html
    # The browser sends the pressed button, not the hidden default Next.
    data = variants_post(rows, "") | {
        "preset_search": "variant-1-preset_id",
        "variant-1-preset_q": "look 19",
    }
    del data["action"]
    response = member_a_client.post(wizard_url(test), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert _picker_names(html, 1) == ["Look 19"]
    assert 'name="variant-1-preset_q" value="look 19"' in html
    assert len(_picker_names(html, 0)) == PICKER_SIZE  # the other row is not searched
    assert "typed first</textarea>" in html and "typed second</textarea>" in html
    assert 'name="variant-1-name" value="Moody"' in html
    assert re.search(r'name="variant-0-preset_id" value="builtin-modern"[^>]*checked', html)
    assert "of Summit" not in html
    test.refresh_from_db()
    assert not test.variants.exists() and test.wizard_step == 2  # nothing saved


@pytest.mark.parametrize("query", ["²", "A" * 50_000, "%"])
def test_a_hostile_picker_search_keeps_the_step(member_a_client, org_a, query):
    make_preset(org_a, name="Look")
    test = make_test(org_a, variants=[], wizard_step=2)
    rows = [{"name": "Control", "preset_id": "", "custom_prompt": "typed"}]
    data = variants_post(rows) | {"preset_search": "x", "variant-0-preset_q": query}
    response = member_a_client.post(wizard_url(test), data)
    assert response.status_code == 200
    assert "typed</textarea>" in response.content.decode()
    assert not test.variants.exists()


@pytest.mark.parametrize("step", ["²", "-1", "99999999999999999999999999", "x"])
def test_it_shows_the_furthest_step_for_a_step_that_is_not_one(member_a_client, draft_test, step):
    response = member_a_client.get(wizard_url(draft_test), {"step": step})
    assert response.status_code == 200
    assert 'data-step="1"' in response.content.decode()


def test_it_reads_a_variant_count_that_is_not_a_number_as_none(member_a_client, org_a):
    test = make_test(org_a, variants=[], wizard_step=2)
    data = variants_post([], "next") | {"variant_count": "²"}
    response = member_a_client.post(wizard_url(test), data)
    assert response.status_code == 400
    assert "A test needs at least two variants." in response.content.decode()


def test_the_split_step_saves_bandit_mode(member_a_client, draft_test):
    draft_test.wizard_step = 3
    draft_test.save()
    control, playful = variant_ids(draft_test)
    page = member_a_client.get(wizard_url(draft_test, 3)).content.decode()
    assert (
        'data-testid="bandit-settings"' in page
        and 'name="bandit_interval_hours" value="24"' in page
    )
    split = {f"split-{control}": "50", f"split-{playful}": "50"}
    refused = member_a_client.post(
        wizard_url(draft_test),
        {"step": "3", "action": "next", "bandit_mode": "on", "bandit_floor_percent": "30", **split},
    )
    assert refused.status_code == 400
    assert "Must be at most 20." in refused.content.decode()
    assert 'name="bandit_floor_percent" value="30"' in refused.content.decode()
    saved = member_a_client.post(
        wizard_url(draft_test),
        {
            "step": "3",
            "action": "next",
            "bandit_mode": "on",
            "bandit_interval_hours": "12",
            "bandit_floor_percent": "10",
            **split,
        },
    )
    assert saved.status_code == 302
    draft_test.refresh_from_db()
    assert (draft_test.bandit_mode, draft_test.bandit_interval_hours) == (True, 12)
    assert draft_test.bandit_floor_percent == 10
    review = member_a_client.get(wizard_url(draft_test, 4)).content.decode()
    assert "Bandit mode: re-weighted every 12 h, at least 10% per variant" in review
    # Unticked, the box turns bandit mode off again.
    member_a_client.post(wizard_url(draft_test), {"step": "3", "action": "next", **split})
    draft_test.refresh_from_db()
    assert not draft_test.bandit_mode


def test_it_names_the_presets_in_the_review(member_a_client, org_a):
    from tests.presets.factories import make_preset

    mine = make_preset(org_a, name="House green")
    variants = [
        {"name": "Control", "preset_id": "builtin-playful"},
        {"name": "Ours", "preset_id": mine},
    ]
    test = make_test(org_a, variants=variants, wizard_step=4)
    html = member_a_client.get(wizard_url(test, 4)).content.decode()
    review = html.split('data-testid="review"')[1]
    assert '<td data-testid="review-preset">Playful</td>' in review
    assert '<td data-testid="review-preset">House green</td>' in review
    assert "builtin-playful" not in review and mine not in review
