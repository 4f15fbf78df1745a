"""``/dashboard/abtests/new`` and ``/dashboard/abtests/<id>/wizard?step=N``: the four-step wizard.

Every step posts to the server, which validates it and saves it to the draft: Next moves on only
when the step is valid; Back always goes back, keeping what was typed (saved if valid, otherwise
held in the session until the step is shown again). Members build drafts; starting a test from
the last step is for owners, as everywhere else. With HTMX a step swaps only the wizard panel and
pushes its URL, so a reload or a later visit resumes at the same step.

A variant's image is queued as a media job (no provider is called in a request); its panel polls
``…/variants/<id>/media`` until the image is there, and a plain reload shows the same state.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, push_url

from abtests import wizard
from abtests.models import MediaABTest
from abtests.recommendations import recommendation_panel
from abtests.selectors import get_media_ab_test
from abtests.services import (
    attach_variant_media,
    create_media_ab_test,
    generate_variant_media,
    update_media_ab_test,
)
from abtests.validation import MAX_VARIANTS, check_variant_content
from bakedbot.errors import FieldErrors, InvalidInput
from bakedbot.polling import next_poll_delay
from bakedbot.tenancy import can_manage_tenant, tenant_member_required, tenant_url
from presets.selectors import get_preset_names

TEMPLATE = "abtests/wizard.html"
STASH = "abtests_wizard"


def _step_url(request: HttpRequest, test_id: str, step: int) -> str:
    return tenant_url(request, "abtests:wizard", test_id, step=step)


def _stash(request: HttpRequest, test_id: str, step: int, values: Any) -> None:
    stash = request.session.get(STASH, {})
    stash[f"{test_id}:{step}"] = values
    request.session[STASH] = stash


def _unstash(request: HttpRequest, test_id: str, step: int) -> Any:
    stash = request.session.get(STASH, {})
    values = stash.pop(f"{test_id}:{step}", None)
    if values is not None:
        request.session[STASH] = stash
    return values


def _context(request: HttpRequest, test: MediaABTest | None, step: int, **values) -> dict:
    tenant_id = request.tenant.pk
    errors = values.pop("errors", {})
    context: dict[str, Any] = {
        "tenant": request.tenant,
        "test": test,
        "step": step,
        "steps": wizard.STEPS,
        "furthest": test.wizard_step if test else 1,
        "errors": errors,
        "can_start": can_manage_tenant(request),
        "max_variants": MAX_VARIANTS,
    }
    if step == 1:
        context["basics"] = values.get("basics") or wizard.basics_from_test(test)
    elif step == 2:
        rows = values.get("rows") or wizard.variants_from_test(test)
        context["variant_forms"] = wizard.variant_forms(
            tenant_id, test, rows, errors, values.get("searches")
        )
        context["variant_count"] = len(rows)
        context["generation"] = wizard.generation_settings(tenant_id, values.get("post"))
        # Which presets tend to win on the metric this test will most likely decide on.
        context["style_recommendations"] = recommendation_panel(
            tenant_id=tenant_id, metric=test.primary_metric if test else "ctr", limit=3
        )
    elif step == 3:
        context["split_rows"] = wizard.split_rows(test, values.get("split"))
        context["bandit"] = values.get("bandit") or wizard.bandit_from_test(test)
    else:
        context["decision"] = values.get("decision") or wizard.decision_from_test(test)
        context["metric_labels"] = wizard.METRIC_LABELS
        context["primary_choices"] = MediaABTest.PrimaryMetric.choices
        context["adjustment_choices"] = MediaABTest.Adjustment.choices
        variants = list(test.variants.all())
        # The review names each variant's preset as people know it, not by its id.
        names = get_preset_names(tenant_id, {v.preset_id for v in variants if v.preset_id})
        context["variants"] = [(v, names.get(v.preset_id, "")) for v in variants]
    return context


def _with_finished_media(request: HttpRequest, test_id: str) -> MediaABTest:
    """The test, read after attaching the images its variants' jobs finished since the last
    look: the media worker knows nothing of A/B tests, so the pages showing them attach them."""
    attach_variant_media(tenant_id=request.tenant.pk, test_id=test_id)
    return get_media_ab_test(request.tenant.pk, test_id)


def _show(request: HttpRequest, test: MediaABTest | None, step: int, *, status=200, **values):
    if test is not None and step == 2:
        test = _with_finished_media(request, test.pk)
    context = _context(request, test, step, **values)
    if request.htmx:
        response = render(request, f"{TEMPLATE}#wizard", context)
        if test is not None:
            return push_url(response, _step_url(request, test.pk, step))
        return response
    return render(request, TEMPLATE, context, status=status)


def _refused(request: HttpRequest, test: MediaABTest | None, step: int, **values):
    # HTMX swaps only 2xx answers by default, so a refused step is a 200 there and a 400 otherwise.
    return _show(request, test, step, status=400, **values)


def _go(request: HttpRequest, test_id: str, step: int) -> HttpResponse:
    if request.htmx:
        return _show(request, get_media_ab_test(request.tenant.pk, test_id), step)
    return redirect(_step_url(request, test_id, step))


@require_http_methods(["GET", "POST"])
@tenant_member_required
def wizard_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _show(request, None, 1)
    basics = wizard.basics_from_post(request.POST)
    try:
        saved = create_media_ab_test(
            tenant_id=request.tenant.pk, data={**basics, "wizard_step": 2}, user=request.user
        )
    except InvalidInput as refused:
        return _refused(request, None, 1, basics=basics, errors=refused.errors)
    return _go(request, saved.test_id, 2)


@require_http_methods(["GET", "POST"])
@tenant_member_required
def wizard_step(request: HttpRequest, test_id: str) -> HttpResponse:
    test = get_media_ab_test(request.tenant.pk, test_id)
    if test.status != MediaABTest.Status.DRAFT:
        messages.info(request, "Only a draft is edited in the wizard; this test has started.")
        return redirect(tenant_url(request, "abtests:detail", test.pk))
    if request.method == "GET":
        step = wizard.step_of(request.GET.get("step"), test.wizard_step)
        stashed = _unstash(request, test.pk, step) or {}
        return _show(request, test, step, **stashed)
    step = wizard.step_of(request.POST.get("step"), test.wizard_step)
    action = request.POST.get("action", "next")
    handler = {1: _post_basics, 2: _post_variants, 3: _post_split, 4: _post_decision}[step]
    return handler(request, test, action)


@require_GET
@tenant_member_required
def variant_media(request: HttpRequest, test_id: str, variant_id: str) -> HttpResponse:
    """A variant's image panel: the job's progress while it runs (polled, slowing down while
    nothing changes), then the image and its cost, or why it failed."""
    test = _with_finished_media(request, test_id)
    if test.status != MediaABTest.Status.DRAFT:
        return redirect(tenant_url(request, "abtests:detail", test.pk))
    form = wizard.variant_media_form(test, variant_id)
    if not request.htmx:
        return redirect(_step_url(request, test.pk, 2))
    context = {
        "tenant": request.tenant,
        "test": test,
        "form": form,
        "poll_delay": next_poll_delay(request, form.job_fingerprint),
    }
    return render(request, f"{TEMPLATE}#variant-media", context)


def _save(request, test, updates: dict, *, reached: int):
    updates = {**updates, "wizard_step": max(test.wizard_step, reached)}
    return update_media_ab_test(tenant_id=request.tenant.pk, test_id=test.pk, updates=updates)


def _leave(request, test, step: int, action: str, updates: dict, stash: dict):
    """Save the step and move: Back even when the step is not valid yet (its input stashed)."""
    target = step - 1 if action == "back" else step + 1
    try:
        _save(request, test, updates, reached=step if action == "back" else target)
    except InvalidInput as refused:
        if action == "back":
            _stash(request, test.pk, step, {**stash, "errors": refused.errors})
            return _go(request, test.pk, target)
        return _refused(request, test, step, errors=refused.errors, **stash)
    return _go(request, test.pk, target)


def _post_basics(request, test, action):
    basics = wizard.basics_from_post(request.POST)
    return _leave(request, test, 1, "next", basics, {"basics": basics})


def _post_variants(request, test, action):
    rows = wizard.variants_from_post(request.POST)
    if request.POST.get("preset_search"):
        # A picker's Search button (without JavaScript): the step again, nothing saved.
        searches = wizard.preset_searches_from_post(request.POST, len(rows))
        return _show(request, test, 2, rows=rows, post=request.POST, searches=searches)
    try:
        if action == "add" and len(rows) < MAX_VARIANTS:
            name = wizard.next_variant_name(rows)
            rows.append({"id": "", "name": name, "preset_id": "", "custom_prompt": ""})
            return _show(request, test, 2, rows=rows, post=request.POST)
        if action.startswith("remove-"):
            index = wizard.row_index(action, "remove-", len(rows))
            rows = [row for i, row in enumerate(rows) if i != index]
            return _show(request, test, 2, rows=rows, post=request.POST)
        updates = {"variants": wizard.variants_for_service(test, rows)}
        if action.startswith("generate-"):
            index = wizard.row_index(action, "generate-", len(rows))
            return _generate(request, test, rows, updates, index)
        if action == "next":
            errors = FieldErrors()
            check_variant_content([(r["preset_id"], r["custom_prompt"]) for r in rows], errors)
            errors.raise_if_any()
    except InvalidInput as refused:
        return _refused(request, test, 2, rows=rows, post=request.POST, errors=refused.errors)
    return _leave(request, test, 2, action, updates, {"rows": rows})


def _generate(request, test, rows, updates, index: int):
    """Save the step, then queue the row's image; the step comes back with its progress (by a
    redirect without HTMX, so that a reload does not queue the image again)."""
    _save(request, test, updates, reached=2)
    variant = list(get_media_ab_test(request.tenant.pk, test.pk).variants.all())[index]
    try:
        queued = generate_variant_media(
            tenant_id=request.tenant.pk,
            test_id=test.pk,
            variant_id=variant.pk,
            user_id=str(request.user.pk),
            provider=request.POST.get("provider", ""),
            aspect_ratio=request.POST.get("aspect_ratio", ""),
        )
    except InvalidInput as refused:
        errors = {f"variants.{index + 1}.generate": " ".join(refused.errors.values())}
        return _refused(request, test, 2, post=request.POST, errors=errors)
    if queued.status == "done":
        messages.success(request, f"Image generated for {variant.name}.")
    else:
        messages.success(request, f"The image for {variant.name} is being made.")
    if request.htmx:
        return _show(request, test, 2, post=request.POST)
    # A reload of the step shows the job's progress; it never queues the image again.
    return redirect(_step_url(request, test.pk, 2))


def _post_split(request, test, action):
    split = wizard.split_from_post(request.POST, test)
    bandit = wizard.bandit_from_post(request.POST)
    if action == "equal":
        equal = {k: str(v) for k, v in wizard.equal_split_for(test).items()}
        return _show(request, test, 3, split=equal, bandit=bandit)
    stash = {"split": split, "bandit": bandit}
    return _leave(request, test, 3, action, {"split": split, **bandit}, stash)


def _post_decision(request, test, action):
    decision = wizard.decision_from_post(request.POST)
    if action == "back":
        return _leave(request, test, 4, "back", decision, {"decision": decision})
    if action == "start" and not can_manage_tenant(request):
        raise PermissionDenied("Only an owner starts a test.")
    updates = {**decision, "status": MediaABTest.Status.RUNNING} if action == "start" else decision
    try:
        _save(request, test, updates, reached=4)
    except InvalidInput as refused:
        return _refused(request, test, 4, decision=decision, errors=refused.errors)
    messages.success(
        request,
        "The test is running." if action == "start" else "Draft saved; start it when ready.",
    )
    url = tenant_url(request, "abtests:detail", test.pk)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
