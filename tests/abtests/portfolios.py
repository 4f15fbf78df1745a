"""Hand-made portfolios of started A/B tests for the recommendation tests, built through the
services: each test is its arms as ``(preset_id, impressions, clicks)``, the control first."""

from itertools import count

from abtests.services import transition_media_ab_test
from tests.abtests.conftest import make_test, record, start, variant_ids

_names = count(1)


def run_test(tenant, arms, *, status="running", **overrides):
    """A started test with these arms' cumulative counts (conversions a tenth of clicks)."""
    variants = [
        {"name": f"Arm {i}", "preset_id": preset, "custom_prompt": "" if preset else "own words"}
        for i, (preset, _, _) in enumerate(arms)
    ]
    test = start(make_test(tenant, name=f"Test {next(_names)}", variants=variants, **overrides))
    for variant_id, (_, impressions, clicks) in zip(variant_ids(test), arms, strict=True):
        record(
            test,
            variant_id,
            impressions=impressions,
            clicks=clicks,
            conversions=clicks // 10,
            engagement=clicks * 2,
            cost=f"{impressions // 100}.00",
        )
    if status != "running":
        transition_media_ab_test(tenant_id=tenant.pk, test_id=test.pk, status=status)
    return test
