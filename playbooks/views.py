from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from bakedbot.errors import InvalidInput
from bakedbot.polling import next_poll_delay
from bakedbot.selectors import list_organisations
from bakedbot.tenancy import (
    can_manage_tenant,
    super_admin_required,
    tenant_member_required,
    tenant_owner_required,
    tenant_url,
)
from playbooks import clock, selectors, services
from playbooks.cron import DST_NOTE
from playbooks.forms import parse_param_overrides, step_fields
from playbooks.library import PLAYBOOK_TEMPLATES
from playbooks.models import Playbook, PlaybookRun
from presets.recommendations import style_recommendations

# The run page polls its progress; while nothing changes it slows down to this.
RUN_POLL_SLOWEST_SECONDS = 10


def _redirect(request: HttpRequest, name: str, *args) -> HttpResponse:
    return redirect(tenant_url(request, name, *args))


def _refused(request: HttpRequest, exc: InvalidInput) -> None:
    """A service's no, as the message the next page shows."""
    messages.error(request, " ".join(exc.errors.values()))


def _playbook(request: HttpRequest, playbook_id: str) -> Playbook:
    return get_object_or_404(
        Playbook.objects.select_related("template", "organisation"),
        pk=playbook_id,
        organisation=request.tenant,
    )


def _run(request: HttpRequest, run_id: str) -> PlaybookRun:
    return get_object_or_404(
        PlaybookRun.objects.select_related("playbook", "playbook__template", "user"),
        pk=run_id,
        organisation=request.tenant,
    )


def _base_context(request: HttpRequest, **extra) -> dict:
    return {
        "tenant": request.tenant,
        "can_manage": can_manage_tenant(request),
        "dst_note": DST_NOTE,
        **extra,
    }


# --- tenant pages ------------------------------------------------------------------------------


@require_GET
@tenant_member_required
def playbook_list(request):
    now = clock.now()
    playbooks = list(selectors.playbook_list(request.tenant.pk))
    installed = {playbook.template_id for playbook in playbooks}
    for playbook in playbooks:
        playbook.estimate = selectors.estimate_playbook_run_cost(
            selectors.effective_steps(playbook)
        )
        playbook.upcoming = selectors.upcoming_runs(playbook, now, 1)
    library = [t for t in selectors.template_list() if t.pk not in installed]
    return render(
        request,
        "playbooks/list.html",
        _base_context(
            request,
            playbooks=playbooks,
            library=library,
            runs=selectors.run_list(request.tenant.pk),
        ),
    )


@require_POST
@tenant_owner_required
def playbook_install(request):
    try:
        installed = services.install_playbook_template(
            template_id=request.POST.get("template_id", "").strip(),
            org_id=request.tenant.pk,
            user=request.user,
        )
    except InvalidInput as exc:
        _refused(request, exc)
        return _redirect(request, "playbooks:list")
    messages.success(request, "Playbook installed. Check its schedule and parameters.")
    return _redirect(request, "playbooks:detail", installed.playbook_id)


@require_POST
@tenant_owner_required
def template_run(request, template_id):
    try:
        started = services.run_playbook_template(
            template_id=template_id,
            org_id=request.tenant.pk,
            user=request.user,
            dry_run=request.POST.get("mode") == "dry_run",
        )
    except InvalidInput as exc:
        _refused(request, exc)
        return _redirect(request, "playbooks:list")
    return _redirect(request, "playbooks:run_detail", started.run_id)


def _detail(request, playbook, *, errors=None, status=200):
    steps = selectors.effective_steps(playbook)
    return render(
        request,
        "playbooks/detail.html",
        _base_context(
            request,
            playbook=playbook,
            step_forms=step_fields(steps, errors),
            errors=errors or {},
            schedule_value=request.POST.get("schedule", playbook.schedule)
            if errors
            else playbook.schedule,
            estimate=selectors.estimate_playbook_run_cost(steps),
            style_recommendations=style_recommendations(tenant_id=request.tenant.pk),
            upcoming=selectors.upcoming_runs(playbook, clock.now(), 3),
            runs=selectors.run_list(request.tenant.pk, playbook=playbook),
        ),
        status=status,
    )


@require_GET
@tenant_member_required
def playbook_detail(request, playbook_id):
    return _detail(request, _playbook(request, playbook_id))


@require_POST
@tenant_owner_required
def playbook_settings(request, playbook_id):
    playbook = _playbook(request, playbook_id)
    overrides = parse_param_overrides(playbook.template.steps, request.POST)
    try:
        services.playbook_update(
            playbook=playbook,
            enabled=request.POST.get("enabled") == "on",
            schedule=request.POST.get("schedule", ""),
            param_overrides=overrides,
        )
    except InvalidInput as exc:
        playbook.refresh_from_db()
        return _detail(request, playbook, errors=exc.errors, status=400)
    messages.success(request, "Playbook settings saved.")
    return _redirect(request, "playbooks:detail", playbook.pk)


@require_POST
@tenant_owner_required
def playbook_toggle(request, playbook_id):
    playbook = _playbook(request, playbook_id)
    enable = request.POST.get("enabled") == "true"
    try:
        services.playbook_set_enabled(playbook=playbook, enabled=enable)
    except InvalidInput as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{playbook.name} {'enabled' if enable else 'disabled'}.")
    if request.POST.get("return_to") == "detail":
        return _redirect(request, "playbooks:detail", playbook.pk)
    return _redirect(request, "playbooks:list")


@require_POST
@tenant_owner_required
def playbook_run(request, playbook_id):
    playbook = _playbook(request, playbook_id)
    dry_run = request.POST.get("mode") == "dry_run"
    run = services.start_playbook_run(
        playbook=playbook,
        triggered_by=PlaybookRun.Trigger.MANUAL,
        user=request.user,
        dry_run=dry_run,
    )
    messages.success(request, "Dry run started." if dry_run else "Run started.")
    return _redirect(request, "playbooks:run_detail", run.pk)


@require_GET
@tenant_member_required
def run_detail(request, run_id):
    run = _run(request, run_id)
    progress = selectors.run_progress(run)
    context = _base_context(
        request,
        run=run,
        steps=progress.steps,
        fingerprint=progress.fingerprint,
        poll_delay=next_poll_delay(request, progress.fingerprint, slowest=RUN_POLL_SLOWEST_SECONDS),
    )
    template = "playbooks/run_detail.html"
    if request.htmx and run.is_active:
        return render(request, template + "#progress", context)
    submissions = selectors.run_submissions(run)
    rejection = selectors.latest_rejection(submissions)
    context.update(
        submissions=submissions,
        rejection=rejection,
        rerun_guidance=request.GET.get("guidance")
        or (rejection.content.review_comment if rejection else ""),
        rerun_from=request.GET.get("from_step", "") or progress.rerun_from,
    )
    if request.htmx:
        # The poll that sees the run finish: its progress, and what only a finished run shows
        # (its content in the Creative Center, "Run again from a step") swapped in beside it.
        return render(request, template + "#finished", context)
    return render(request, template, context)


@require_POST
@tenant_owner_required
def run_rerun(request, run_id):
    run = _run(request, run_id)
    try:
        new_run = services.rerun_playbook_run(
            run=run,
            from_step=request.POST.get("from_step", ""),
            guidance=request.POST.get("guidance", ""),
            user=request.user,
        )
    except InvalidInput as exc:
        _refused(request, exc)
        return _redirect(request, "playbooks:run_detail", run.pk)
    messages.success(request, f"Re-running from {new_run.rerun_from_step}.")
    return _redirect(request, "playbooks:run_detail", new_run.pk)


# --- super admin -------------------------------------------------------------------------------


@require_GET
@super_admin_required
def ceo_library(request):
    templates = list(selectors.template_list().prefetch_related("installations"))
    seeded = {template.pk for template in templates}
    unseeded = [t["id"] for t in PLAYBOOK_TEMPLATES if t["id"] not in seeded]
    return render(
        request,
        "playbooks/ceo_library.html",
        {
            "templates": templates,
            "unseeded": unseeded,
            "dst_note": DST_NOTE,
            "organisations": list_organisations(),
        },
    )


@require_POST
@super_admin_required
def ceo_install(request):
    """Install a library template for the organisation the super admin chose."""
    org_id = request.POST.get("org_id", "").strip()
    try:
        installed = services.install_playbook_template(
            request.POST.get("template_id", "").strip(), org_id, user=request.user
        )
    except InvalidInput as exc:
        _refused(request, exc)
        return redirect("playbooks:ceo_library")
    messages.success(request, "Playbook installed. Check its schedule and parameters.")
    return redirect(tenant_url(request, "playbooks:detail", installed.playbook_id, tenant=org_id))


@require_POST
@super_admin_required
def ceo_seed(request):
    result = services.seed_playbook_templates()
    text = (
        f"Seeded {len(result.seeded)}"
        + (f" ({', '.join(result.seeded)})" if result.seeded else "")
        + f", skipped {len(result.skipped)}"
        + (f" ({', '.join(result.skipped)})" if result.skipped else "")
        + f", errors {len(result.errors)}"
        + (f": {'; '.join(result.errors)}" if result.errors else "")
        + "."
    )
    (messages.success if result.success else messages.error)(request, text)
    return redirect("playbooks:ceo_library")
