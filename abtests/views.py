"""``/dashboard/abtests``: the tenant's A/B tests and each test's results page.

Members read results and enter metrics (a form per variant, or a CSV file); owners move a test
through its lifecycle and apply the bandit's split. Every action is a plain form post that
redirects back to the results page; with HTMX it swaps only the results panel.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from abtests.models import MediaABTest, MediaABTestMetricSnapshot
from abtests.results import get_results_page, metrics_forms
from abtests.selectors import get_media_ab_test, get_media_ab_tests
from abtests.services import (
    TRANSITIONS,
    apply_bandit_split,
    import_ab_test_metrics_csv,
    transition_media_ab_test,
    update_ab_test_metrics,
)
from bakedbot.errors import InvalidInput
from bakedbot.tenancy import (
    can_manage_tenant,
    tenant_member_required,
    tenant_owner_required,
    tenant_url,
)

DETAIL = "abtests/detail.html"
FORM_FIELDS = ("impressions", "clicks", "conversions", "engagement", "cost")
MAX_UPLOAD_BYTES = 1_000_000


def _detail_url(request: HttpRequest, test_id: str) -> str:
    return tenant_url(request, "abtests:detail", test_id)


def _render_detail(request: HttpRequest, test: MediaABTest, status: int = 200, **extra):
    can_manage = can_manage_tenant(request)
    page = get_results_page(test, list(TRANSITIONS[test.status]) if can_manage else [])
    context = {
        "metrics_forms": metrics_forms(
            page, extra.pop("form_values", {}), extra.pop("form_errors", {})
        ),
        "tenant": request.tenant,
        "page": page,
        "test": test,
        "can_manage": can_manage,
        "csv_errors": [],
        **extra,
    }
    if request.htmx:
        # The panel is swapped in place, so a refusal is still a 200 for HTMX to show.
        return render(request, f"{DETAIL}#results", context)
    return render(request, DETAIL, context, status=status)


def _done(request: HttpRequest, test: MediaABTest, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return _render_detail(request, test)
    return redirect(_detail_url(request, test.pk))


def _refused(request: HttpRequest, test: MediaABTest, refused: InvalidInput) -> HttpResponse:
    """A refused lifecycle or split change: the reason as a message on the results page."""
    messages.error(request, " ".join(refused.errors.values()))
    if request.htmx:
        return _render_detail(request, test)
    return redirect(_detail_url(request, test.pk))


@require_GET
@tenant_member_required
def test_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in MediaABTest.Status.values:
        status = ""
    return render(
        request,
        "abtests/list.html",
        {
            "tenant": request.tenant,
            "tests": get_media_ab_tests(request.tenant.pk, status=status),
            "status": status,
            "statuses": MediaABTest.Status.choices,
            "wizard_url": tenant_url(request, "abtests:new"),
        },
    )


@require_GET
@tenant_member_required
def test_detail(request: HttpRequest, test_id: str) -> HttpResponse:
    return _render_detail(request, get_media_ab_test(request.tenant.pk, test_id))


@require_POST
@tenant_owner_required
def test_status(request: HttpRequest, test_id: str) -> HttpResponse:
    test = get_media_ab_test(request.tenant.pk, test_id)
    status = request.POST.get("status", "")
    try:
        transition_media_ab_test(tenant_id=request.tenant.pk, test_id=test.pk, status=status)
    except InvalidInput as refused:
        return _refused(request, test, refused)
    test = get_media_ab_test(request.tenant.pk, test_id)
    return _done(request, test, f"The test is now {test.get_status_display().lower()}.")


@require_POST
@tenant_member_required
def variant_metrics(request: HttpRequest, test_id: str, variant_id: str) -> HttpResponse:
    test = get_media_ab_test(request.tenant.pk, test_id)
    values = {field: request.POST.get(field, "").strip() for field in FORM_FIELDS}
    try:
        update_ab_test_metrics(
            tenant_id=request.tenant.pk,
            test_id=test.pk,
            variant_id=variant_id,
            metrics=values,
            source=MediaABTestMetricSnapshot.Source.FORM,
        )
    except InvalidInput as refused:
        return _render_detail(
            request,
            test,
            status=400,
            form_values={variant_id: values},
            form_errors={variant_id: refused.errors},
        )
    variant = test.variants.get(pk=variant_id)
    return _done(request, test, f"Metrics for {variant.name} saved.")


@require_POST
@tenant_member_required
def metrics_upload(request: HttpRequest, test_id: str) -> HttpResponse:
    test = get_media_ab_test(request.tenant.pk, test_id)
    upload = request.FILES.get("file")
    if upload is None:
        errors = [(1, "file", "Choose a CSV file to upload.")]
    elif upload.size > MAX_UPLOAD_BYTES:
        errors = [(1, "file", "The file is larger than 1 MB.")]
    else:
        try:
            result = import_ab_test_metrics_csv(
                tenant_id=request.tenant.pk, test_id=test.pk, content=upload.read()
            )
        except InvalidInput as refused:
            errors = [(1, field, message) for field, message in refused.errors.items()]
        else:
            if not result.errors:
                return _done(request, test, f"Metrics for {result.rows} variants imported.")
            errors = [(e.line, e.field, e.message) for e in result.errors]
    return _render_detail(request, test, status=400, csv_errors=errors)


@require_POST
@tenant_owner_required
def apply_split(request: HttpRequest, test_id: str) -> HttpResponse:
    test = get_media_ab_test(request.tenant.pk, test_id)
    split = {v.pk: request.POST.get(f"split_{v.pk}", "") for v in test.variants.all()}
    try:
        apply_bandit_split(tenant_id=request.tenant.pk, test_id=test.pk, split=split)
    except InvalidInput as refused:
        return _refused(request, test, refused)
    return _done(request, test, "The new split is live.")
