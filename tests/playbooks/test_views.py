"""Every playbook URL: who may (and may not) use it, and what it does."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from media.selectors import get_approval_queue
from media.services import reject_creative_content
from playbooks.models import Notification, Playbook, PlaybookRun
from playbooks.runner import execute_playbook_run
from playbooks.services import start_playbook_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def playbook(org_a, install):
    return install("weekly-deals-video", org_a)


@pytest.fixture
def run(playbook, shop):
    queued = start_playbook_run(playbook=playbook, triggered_by="manual")
    return execute_playbook_run(queued.pk)


@pytest.fixture
def notification(org_a, member_a, run):
    return Notification.objects.create(organisation=org_a, user=member_a, run=run, title="Hi")


# name, method, needs owner, object the URL takes
TENANT_URLS = [
    ("playbooks:list", "get", False, None),
    ("playbooks:install", "post", True, None),
    ("playbooks:template_run", "post", True, "template"),
    ("playbooks:detail", "get", False, "playbook"),
    ("playbooks:settings", "post", True, "playbook"),
    ("playbooks:toggle", "post", True, "playbook"),
    ("playbooks:run", "post", True, "playbook"),
    ("playbooks:run_detail", "get", False, "run"),
    ("playbooks:run_rerun", "post", True, "run"),
    ("playbooks:notification_read", "post", False, "notification"),
]
SUPER_ADMIN_URLS = [("playbooks:ceo_library", "get"), ("playbooks:ceo_seed", "post")]


@pytest.fixture
def url_for(request):
    def _url(name, kind):
        if kind is None:
            return reverse(name)
        if kind == "template":
            return reverse(name, args=["weekly-deals-video"])
        return reverse(name, args=[request.getfixturevalue(kind).pk])

    return _url


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_anonymous_users_go_to_login(client, url_for, name, method, owner, kind):
    url = url_for(name, kind)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_the_wrong_method_is_refused(owner_a_client, url_for, name, method, owner, kind):
    wrong = "post" if method == "get" else "get"
    assert getattr(owner_a_client, wrong)(url_for(name, kind)).status_code == 405


@pytest.mark.parametrize(("name", "method", "owner", "kind"), [u for u in TENANT_URLS if u[2]])
def test_members_may_not_change_anything(member_a_client, url_for, name, method, owner, kind):
    assert member_a_client.post(url_for(name, kind)).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "owner", "kind"), [u for u in TENANT_URLS if u[3] not in (None, "template")]
)
def test_another_tenant_s_objects_answer_404(user_b_client, url_for, name, method, owner, kind):
    assert getattr(user_b_client, method)(url_for(name, kind)).status_code == 404


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_naming_another_tenant_answers_404(
    user_b_client, org_a, url_for, name, method, owner, kind
):
    url = url_for(name, kind) + f"?tenant={org_a.pk}"
    assert getattr(user_b_client, method)(url).status_code == 404


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_super_admins_need_to_pick_a_tenant(super_admin_client, url_for, name, method, owner, kind):
    assert getattr(super_admin_client, method)(url_for(name, kind)).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "owner", "kind"), [u for u in TENANT_URLS if u[1] == "get"]
)
def test_members_super_admins_with_a_tenant_and_owners_may_read(
    owner_a_client, member_a_client, super_admin_client, org_a, url_for, name, method, owner, kind
):
    url = url_for(name, kind)
    for client, query in [
        (owner_a_client, ""),
        (member_a_client, ""),
        (super_admin_client, f"?tenant={org_a.pk}"),
    ]:
        response = client.get(url + query)
        assert response.status_code == 200
        assert org_a.name in response.content.decode()


@pytest.mark.parametrize(("name", "method"), SUPER_ADMIN_URLS)
def test_super_admin_pages_refuse_tenant_users(
    owner_a_client, member_a_client, client, name, method
):
    url = reverse(name)
    assert getattr(owner_a_client, method)(url).status_code == 403
    assert getattr(member_a_client, method)(url).status_code == 403
    assert getattr(client, method)(url).status_code == 302


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_seed_templates_reports_seeded_then_skipped(super_admin_client):
    page = super_admin_client.get(reverse("playbooks:ceo_library")).content.decode()
    assert "The template library is empty" in page
    assert "Not seeded yet: weekly-deals-video" in page
    response = super_admin_client.post(reverse("playbooks:ceo_seed"), follow=True)
    assert response.redirect_chain == [(reverse("playbooks:ceo_library"), 302)]
    page = response.content.decode()
    assert (
        "Seeded 3 (weekly-deals-video, daily-product-spotlight, competitor-price-alert), "
        "skipped 0, errors 0."
    ) in page
    assert 'class="toast toast-success"' in page
    assert page.count("data-template=") == 3
    response = super_admin_client.post(reverse("playbooks:ceo_seed"))
    assert _messages(response) == [
        "Seeded 0, skipped 3 (weekly-deals-video, daily-product-spotlight, "
        "competitor-price-alert), errors 0."
    ]


def test_the_list_offers_the_library_to_owners_only(owner_a_client, member_a_client, templates):
    page = owner_a_client.get(reverse("playbooks:list")).content.decode()
    assert 'data-testid="install-weekly-deals-video"' in page
    page = member_a_client.get(reverse("playbooks:list")).content.decode()
    assert "install-weekly-deals-video" not in page and "an owner can install it" in page


def test_the_list_explains_an_empty_library(owner_a_client, db):
    page = owner_a_client.get(reverse("playbooks:list")).content.decode()
    assert "“Seed Templates”" in page


def test_an_owner_installs_from_the_library(owner_a_client, owner_a, org_a, templates):
    response = owner_a_client.post(
        reverse("playbooks:install"), {"template_id": "daily-product-spotlight"}
    )
    playbook = Playbook.objects.get(organisation=org_a)
    assert response["Location"] == reverse("playbooks:detail", args=[playbook.pk])
    assert playbook.installed_by == owner_a
    page = owner_a_client.get(reverse("playbooks:list")).content.decode()
    assert 'data-playbook="daily-product-spotlight"' in page
    assert "install-daily-product-spotlight" not in page


def test_installing_an_unknown_template_says_so(owner_a_client, templates):
    response = owner_a_client.post(reverse("playbooks:install"), {"template_id": "nope"})
    assert response["Location"] == reverse("playbooks:list")
    assert "Template “nope” does not exist" in _messages(response)[0]


def test_a_super_admin_acts_for_a_tenant_and_keeps_it_in_links(
    super_admin_client, org_a, templates
):
    query = f"?tenant={org_a.pk}"
    response = super_admin_client.post(
        reverse("playbooks:install") + query, {"template_id": "weekly-deals-video"}
    )
    playbook = Playbook.objects.get(organisation=org_a)
    assert response["Location"] == reverse("playbooks:detail", args=[playbook.pk]) + query
    page = super_admin_client.get(response["Location"]).content.decode()
    assert f'action="{reverse("playbooks:run", args=[playbook.pk])}{query}"' in page


def test_running_a_template_that_is_not_installed_shows_the_fix(owner_a_client, templates):
    response = owner_a_client.post(
        reverse("playbooks:template_run", args=["weekly-deals-video"]), follow=True
    )
    page = response.content.decode()
    assert "is not installed for Alpha Brands" in page
    assert "Seed Templates" in page and "install_playbook_template(" in page
    assert PlaybookRun.objects.count() == 0


def test_running_an_installed_template_by_id(owner_a_client, playbook):
    response = owner_a_client.post(reverse("playbooks:template_run", args=["weekly-deals-video"]))
    run = PlaybookRun.objects.get()
    assert response["Location"] == reverse("playbooks:run_detail", args=[run.pk])


def test_the_detail_page_estimates_a_run_before_run_now(owner_a_client, playbook):
    page = owner_a_client.get(reverse("playbooks:detail", args=[playbook.pk])).content.decode()
    assert re.search(r'data-testid="estimate-total">\$1\.125<', page)
    assert "veo, 10 s video (6 s + 4 s clips)" in page
    assert page.index("estimate-total") < page.index('data-testid="run-now"')
    assert "repeated hour runs once" in page
    assert "Mon 30 Nov 2026 09:00" in page or "09:00 P" in page


def test_run_now_and_dry_run_start_runs(owner_a_client, owner_a, playbook):
    url = reverse("playbooks:run", args=[playbook.pk])
    owner_a_client.post(url)
    owner_a_client.post(url, {"mode": "dry_run"})
    runs = PlaybookRun.objects.order_by("created_at")
    assert [(r.dry_run, r.triggered_by, r.user) for r in runs] == [
        (False, "manual", owner_a),
        (True, "manual", owner_a),
    ]
    assert runs[0].status == "queued"


def test_saving_settings(owner_a_client, playbook):
    url = reverse("playbooks:settings", args=[playbook.pk])
    response = owner_a_client.post(
        url,
        {
            "enabled": "on",
            "schedule": "0 8 * * 2",
            "param__step-2__provider": "sora",
            "param__step-2__duration": "10",
            "param__step-2__aspectRatio": "9:16",
            "param__step-3__platform": "instagram",
            "param__step-3__includeHashtags": "true",
            "param__step-3__includeCTA": "false",
            "param__step-6__channels": ["in_app"],
        },
    )
    assert response.status_code == 302
    playbook.refresh_from_db()
    assert playbook.schedule == "0 8 * * 2"
    assert playbook.param_overrides == {
        "step-2": {"provider": "sora"},
        "step-3": {"includeCTA": False},
        "step-6": {"channels": ["in_app"]},
    }
    page = owner_a_client.get(reverse("playbooks:detail", args=[playbook.pk])).content.decode()
    assert "sora, 10 s video (12 s clips)" in page


def test_bad_settings_are_refused_naming_the_field_and_nothing_is_saved(owner_a_client, playbook):
    url = reverse("playbooks:settings", args=[playbook.pk])
    response = owner_a_client.post(
        url, {"enabled": "on", "schedule": "0 9 * *", "param__step-3__platform": "myspace"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert 'data-testid="schedule-error"' in page and "needs 5 fields" in page
    assert "parameter “platform” must be one of" in page
    assert 'value="0 9 * *"' in page
    stored = Playbook.objects.get(pk=playbook.pk)
    assert (stored.schedule, stored.param_overrides) == ("0 9 * * 1", {})


def test_toggle_disables_and_enables(owner_a_client, playbook):
    url = reverse("playbooks:toggle", args=[playbook.pk])
    owner_a_client.post(url, {"enabled": "false"})
    playbook.refresh_from_db()
    assert (playbook.enabled, playbook.next_run_at) == (False, None)
    response = owner_a_client.post(url, {"enabled": "true", "return_to": "detail"})
    assert response["Location"] == reverse("playbooks:detail", args=[playbook.pk])
    playbook.refresh_from_db()
    assert playbook.enabled and playbook.next_run_at


def test_the_run_page_shows_each_step_with_its_cost(member_a_client, run):
    page = member_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert page.count('data-step-status="succeeded"') == 6
    assert 'data-testid="run-total">$1.125<' in page
    assert 'data-testid="run-caption"' in page and "21+" in page
    assert 'data-testid="run-video"' in page
    assert "hx-trigger" not in page  # finished: no polling
    assert "Run again from a step" not in page  # members can't re-run


def test_the_run_page_polls_while_running_and_slows_down_when_nothing_changes(
    owner_a_client, playbook
):
    queued = start_playbook_run(playbook=playbook, triggered_by="manual")
    url = reverse("playbooks:run_detail", args=[queued.pk])
    page = owner_a_client.get(url).content.decode()
    assert 'hx-trigger="load delay:1s"' in page
    fragment = owner_a_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="run-progress"')
    assert "<html" not in fragment
    fingerprint = "queued:" + ",".join(["pending"] * 6)
    assert "since=queued%3Apending%2Cpending" in fragment
    same = owner_a_client.get(
        url, {"since": fingerprint, "delay": "4"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="load delay:8s"' in same
    capped = owner_a_client.get(
        url,
        {"since": fingerprint, "delay": "8"},
        headers={"HX-Request": "true"},
    )
    assert 'hx-trigger="load delay:10s"' in capped.content.decode()
    changed = owner_a_client.get(
        url, {"since": "other", "delay": "8"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="load delay:1s"' in changed


def test_rerun_from_a_step(owner_a_client, run):
    response = owner_a_client.post(
        reverse("playbooks:run_rerun", args=[run.pk]),
        {"from_step": "step-3", "guidance": "Shorter"},
    )
    rerun = PlaybookRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("playbooks:run_detail", args=[rerun.pk])
    assert rerun.variables == {"guidance": "Shorter"}
    assert rerun.step_results.get(step_id="step-2").status == "reused"


def test_rerun_from_an_unknown_step_is_refused(owner_a_client, run):
    response = owner_a_client.post(
        reverse("playbooks:run_rerun", args=[run.pk]), {"from_step": "step-42"}
    )
    assert response["Location"] == reverse("playbooks:run_detail", args=[run.pk])
    assert "No step “step-42”" in _messages(response)[0]
    assert PlaybookRun.objects.count() == 1


def test_a_notification_is_marked_read_by_its_user_only(
    member_a_client, owner_a_client, notification
):
    url = reverse("playbooks:notification_read", args=[notification.pk])
    assert owner_a_client.post(url).status_code == 404
    response = member_a_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    notification.refresh_from_db()
    assert notification.read_at is not None


# --- providers in the run history; rejected content back to the re-run form


def test_the_run_page_and_the_history_show_the_provider_each_media_step_used(
    member_a_client, run, playbook
):
    page = member_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="step-provider">veo · veo-3.1-generate-preview, 10 s, 9:16' in page
    detail = member_a_client.get(reverse("playbooks:detail", args=[playbook.pk])).content.decode()
    assert re.search(
        r'data-testid="run-provider" title="step-2: veo-3\.1-generate-preview">veo</span>', detail
    )
    listing = member_a_client.get(reverse("playbooks:list")).content.decode()
    assert 'data-testid="run-provider"' in listing


def test_an_image_step_shows_its_tier_and_why(owner_a_client, org_a, install, shop):
    spotlight = install(
        "daily-product-spotlight", org_a, param_overrides={"step-2": {"tier": "super"}}
    )
    run = execute_playbook_run(start_playbook_run(playbook=spotlight, triggered_by="manual").pk)
    assert run.status == "succeeded", run.error
    page = owner_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="step-provider">gemini-pro at 4K · gemini-3-pro-image (super tier)' in page
    assert "super tier: gemini-pro at 4K (Imagen was retired on 2026-08-17)" in page
    detail = owner_a_client.get(reverse("playbooks:detail", args=[spotlight.pk])).content.decode()
    assert ">gemini-pro 4K</span>" in detail
    assert "gemini-pro at 4K image (super tier)" in detail  # the estimate says so too


def _reject(run, org, user, comment="Too long: mention Friday"):
    content_id = run.step_results.get(step_id="step-5").result["content_id"]
    reject_creative_content(
        tenant_id=org.pk, content_id=content_id, reviewed_by=user, comment=comment
    )
    return content_id


def test_rejected_content_links_from_the_creative_center_to_the_rerun_form(
    owner_a_client, owner_a, org_a, run
):
    pending = owner_a_client.get(reverse("media:creative")).content.decode()
    run_page = reverse("playbooks:run_detail", args=[run.pk]) + f"?tenant={org_a.pk}"
    assert f'<a href="{run_page}" data-testid="source-link">' in pending
    _reject(run, org_a, owner_a)

    creative = owner_a_client.get(reverse("media:creative")).content.decode()
    assert f'<a href="{run_page}#rerun" data-testid="rerun-link">' in creative

    page = owner_a_client.get(run_page).content.decode()
    assert '<section id="rerun"' in page
    assert 'data-testid="rerun-rejection"' in page
    assert ">Too long: mention Friday</textarea>" in page
    assert re.search(r'<option value="step-3"\s+selected>', page)
    assert re.search(r'data-testid="submission"[^>]+data-status="rejected"', page)
    assert 'data-testid="review-comment">“Too long: mention Friday”<' in page


def test_the_rerun_form_posts_a_caption_rerun_that_goes_back_to_the_queue(
    owner_a_client, owner_a, org_a, run
):
    old_content = _reject(run, org_a, owner_a)
    response = owner_a_client.post(
        reverse("playbooks:run_rerun", args=[run.pk]),
        {"from_step": "step-3", "guidance": "Too long: mention Friday"},
    )
    rerun = PlaybookRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("playbooks:run_detail", args=[rerun.pk])
    rerun = execute_playbook_run(rerun.pk)
    assert rerun.status == "succeeded", rerun.error
    assert rerun.total_cost_micros == 0
    (pending,) = get_approval_queue(org_a.pk).pending
    assert pending.content.pk != old_content and pending.content.playbook_run_id == rerun.pk
    video = run.step_results.get(step_id="step-2").result["media_id"]
    assert [view.asset.pk for view in pending.media] == [video]
    page = owner_a_client.get(reverse("playbooks:run_detail", args=[rerun.pk])).content.decode()
    assert (
        'data-testid="caption-guidance">Written with the guidance “Too long: mention Friday”'
        in (page)
    )
    assert "the template caption can't follow it" in page


def test_members_see_the_run_but_not_a_rerun_link(member_a_client, owner_a, org_a, run):
    _reject(run, org_a, owner_a)
    creative = member_a_client.get(reverse("media:creative")).content.decode()
    assert 'data-testid="rerun-link"' not in creative
    assert 'data-testid="source-link"' in creative
    page = member_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert 'data-status="rejected"' in page and '<section id="rerun"' not in page


def test_a_super_admin_s_link_names_the_tenant(super_admin_client, owner_a, org_a, run):
    _reject(run, org_a, owner_a)
    creative = super_admin_client.get(reverse("media:creative")).content.decode()
    run_page = reverse("playbooks:run_detail", args=[run.pk]) + f"?tenant={org_a.pk}"
    assert f'href="{run_page}#rerun"' in creative
    page = super_admin_client.get(run_page).content.decode()
    assert ">Too long: mention Friday</textarea>" in page


def test_content_whose_run_is_gone_has_no_link(owner_a_client, owner_a, org_a, run):
    _reject(run, org_a, owner_a)
    PlaybookRun.objects.filter(pk=run.pk).delete()
    creative = owner_a_client.get(reverse("media:creative")).content.decode()
    assert "rerun-link" not in creative and "source-link" not in creative
