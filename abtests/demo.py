"""Demo A/B tests for ``manage.py demo_setup``: a running test with a clear winner, a running
test still short of data, a running test in bandit mode (re-weighted hourly by the schedule),
a draft and a completed test. Created once (by tenant and name)."""

from abtests import services
from abtests.models import MediaABTest

DEMO_TESTS = [
    {
        "tenant": "org_greenleaf",
        "status": "running",
        "data": {
            "name": "Spring drop hero image",
            "description": "Professional product shot against a playful, colourful take.",
            "base_prompt": "A glass jar of flower on a sunlit wooden counter",
            "primary_metric": "ctr",
            "variants": [
                {"name": "Professional", "preset_id": "builtin-professional"},
                {"name": "Playful", "preset_id": "builtin-playful"},
            ],
        },
        "metrics": [
            {
                "impressions": 24_000,
                "clicks": 1_150,
                "conversions": 118,
                "engagement": 1_900,
                "cost": "480.00",
            },
            {
                "impressions": 23_900,
                "clicks": 1_420,
                "conversions": 149,
                "engagement": 2_150,
                "cost": "478.00",
            },
        ],
    },
    {
        "tenant": "org_greenleaf",
        "status": "running",
        "data": {
            "name": "Weekly deals thumbnail",
            "description": "Three looks for the Monday deals video thumbnail.",
            "base_prompt": "Weekly deals on pre-rolls and edibles",
            "primary_metric": "cvr",
            "variants": [
                {"name": "Modern", "preset_id": "builtin-modern"},
                {"name": "Vintage", "preset_id": "builtin-vintage"},
                {
                    "name": "Menu board",
                    "preset_id": "builtin-dispensary-menu",
                    "custom_prompt": "chalkboard lettering",
                },
            ],
        },
        "metrics": [
            {"impressions": 3_100, "clicks": 160, "conversions": 14, "cost": "62.00"},
            {"impressions": 3_050, "clicks": 171, "conversions": 19, "cost": "61.00"},
            {"impressions": 3_120, "clicks": 149, "conversions": 12, "cost": "62.40"},
        ],
    },
    {
        "tenant": "org_greenleaf",
        "status": "running",
        "data": {
            "name": "Pre-roll launch banner",
            "description": "Bandit mode: traffic moves to the better look as results come in.",
            "base_prompt": "A row of pre-rolls on a marble tray",
            "primary_metric": "ctr",
            "bandit_mode": True,
            "bandit_interval_hours": 1,
            "variants": [
                {"name": "Modern", "preset_id": "builtin-modern"},
                {"name": "Luxury", "preset_id": "builtin-luxury"},
            ],
        },
        "metrics": [
            {"impressions": 1_200, "clicks": 48, "conversions": 5, "cost": "24.00"},
            {"impressions": 1_180, "clicks": 66, "conversions": 8, "cost": "23.60"},
        ],
    },
    {
        "tenant": "org_greenleaf",
        "status": "draft",
        "data": {
            "name": "Holiday gift guide banner",
            "base_prompt": "Gift-ready cannabis accessories",
            "wizard_step": 2,
            "variants": [{"name": "Luxury", "preset_id": "builtin-luxury"}],
        },
    },
    {
        "tenant": "org_summit",
        "status": "completed",
        "data": {
            "name": "Craft cultivation story",
            "primary_metric": "engagement_rate",
            "variants": [
                {"name": "Craft", "preset_id": "builtin-craft-cultivation"},
                {"name": "Compliance-safe", "preset_id": "builtin-compliance-safe"},
            ],
        },
        "metrics": [
            {"impressions": 30_000, "clicks": 900, "engagement": 2_400, "cost": "300"},
            {"impressions": 30_200, "clicks": 880, "engagement": 2_050, "cost": "302"},
        ],
    },
]


def _load(demo: dict) -> bool:
    tenant_id, data = demo["tenant"], demo["data"]
    if MediaABTest.objects.filter(tenant_id=tenant_id, name=data["name"]).exists():
        return False
    created = services.create_media_ab_test(tenant_id=tenant_id, data=data)
    if demo["status"] == "draft":
        return True
    services.transition_media_ab_test(
        tenant_id=tenant_id, test_id=created.test_id, status="running"
    )
    test = MediaABTest.objects.get(pk=created.test_id)
    for variant, metrics in zip(test.variants.all(), demo["metrics"], strict=True):
        services.update_ab_test_metrics(
            tenant_id=tenant_id, test_id=test.pk, variant_id=variant.pk, metrics=metrics
        )
    if demo["status"] == "completed":
        services.transition_media_ab_test(tenant_id=tenant_id, test_id=test.pk, status="completed")
    return True


def load_demo_data(write) -> None:
    created = sum(_load(demo) for demo in DEMO_TESTS)
    write(f"A/B tests: {created} created, {len(DEMO_TESTS) - created} already there.")
