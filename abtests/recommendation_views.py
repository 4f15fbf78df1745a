"""``/dashboard/abtests/recommendations``: which style presets tend to win for the organisation,
and across BakedBot's built-in presets, on a chosen metric — with the method in plain words."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from abtests.analysis import METRICS
from abtests.recommendations import (
    MIN_ARM_UNITS,
    MIN_PLATFORM_ORGANISATIONS,
    MIN_PRESET_UNITS,
    get_platform_style_recommendations,
    get_style_recommendations,
)
from bakedbot.tenancy import tenant_member_required


@require_GET
@tenant_member_required
def recommendations(request: HttpRequest) -> HttpResponse:
    metric = request.GET.get("metric", "ctr")
    if metric not in METRICS:
        metric = "ctr"
    return render(
        request,
        "abtests/recommendations.html",
        {
            "tenant": request.tenant,
            "metric": metric,
            "metrics": [(key, spec.label) for key, spec in METRICS.items()],
            "own": get_style_recommendations(request.tenant.pk, metric=metric),
            "platform": get_platform_style_recommendations(metric=metric),
            "min_arm_units": f"{MIN_ARM_UNITS:,}",
            "min_preset_units": f"{MIN_PRESET_UNITS:,}",
            "min_organisations": MIN_PLATFORM_ORGANISATIONS,
        },
    )
