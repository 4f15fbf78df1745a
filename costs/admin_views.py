"""Super-admin pages of the cost core: price versions (``/dashboard/costs/prices``: the versions,
the difference between any two, adding a future version or a correction) and bills
(``/dashboard/costs/billing``: upload a provider's bill, recorded vs billed per day)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bakedbot.errors import InvalidInput
from bakedbot.tenancy import super_admin_required
from costs.price_versions import add_price_version, all_versions, version_difference
from costs.pricing import price_book
from costs.reconciliation import import_gcp_billing_csv, import_openai_costs, reconcile
from costs.repository import CostStoreUnavailable

MAX_VERSION_CHARS = 200_000
BILL_KINDS = {"gcp_csv": "Google Cloud billing export (CSV)", "openai_costs": "OpenAI costs (JSON)"}


@super_admin_required
def price_versions(request: HttpRequest) -> HttpResponse:
    versions = all_versions()
    names = [version.version for version in versions]
    errors: dict[str, str] = {}
    text = corrects = ""
    if request.method == "POST":
        text = request.POST.get("data", "")
        corrects = request.POST.get("corrects", "").strip()
        try:
            if len(text) > MAX_VERSION_CHARS:
                raise InvalidInput(data=f"At most {MAX_VERSION_CHARS:,} characters.")
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise InvalidInput(data=f"Not JSON: {exc}") from None
            if corrects and corrects not in names:
                raise InvalidInput(corrects="Choose a version to correct.")
            added = add_price_version(data=data, corrects=corrects, created_by=request.user)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(
                request, f"Price version {added.version} added, effective {added.effective_from}."
            )
            return redirect("costs:price_versions")
    first = request.GET.get("a") if request.GET.get("a") in names else None
    second = request.GET.get("b") if request.GET.get("b") in names else None
    current = price_book()
    first = first or (names[-2] if len(names) > 1 else names[-1])
    second = second or names[-1]
    by_name = {version.version: version for version in versions}
    return render(
        request,
        "costs/price_versions.html",
        {
            "versions": versions,
            "current": current,
            "a": first,
            "b": second,
            "difference": version_difference(by_name[first], by_name[second]),
            "errors": errors,
            "text": text or json.dumps(current.data, indent=2),
            "corrects": corrects,
        },
        status=400 if errors else 200,
    )


@super_admin_required
def billing(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        try:
            if kind not in BILL_KINDS:
                raise InvalidInput(kind="Choose what the file is.")
            if upload is None:
                raise InvalidInput(file="Choose a file.")
            importer = import_gcp_billing_csv if kind == "gcp_csv" else import_openai_costs
            result = importer(content=upload.read(), name=upload.name, created_by=request.user)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, result.summary)
            return redirect("costs:billing")
    today = datetime.now(UTC).date()
    try:
        days = reconcile(start=today - timedelta(days=30), end=today)
        unavailable = False
    except CostStoreUnavailable:
        days, unavailable = [], True
    return render(
        request,
        "costs/billing.html",
        {"days": days, "kinds": BILL_KINDS, "errors": errors, "unavailable": unavailable},
        status=400 if errors else 200,
    )
