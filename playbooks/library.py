"""The global template library as data: what ``seed_playbook_templates()`` writes."""

WEEKLY_DEALS_VIDEO = {
    "id": "weekly-deals-video",
    "name": "Weekly Deals Video",
    "description": (
        "Every Monday morning: this week's deals become a short vertical video with an Instagram "
        "caption, checked automatically and sent to the Creative Center for approval."
    ),
    "agent": "craig",
    "schedule": "0 9 * * 1",
    "requires_approval": True,
    "steps": [
        {"id": "step-1", "type": "fetch_deals", "params": {"source": "firestore"}},
        {
            "id": "step-2",
            "type": "generate_video",
            "params": {"provider": "veo", "aspectRatio": "9:16", "duration": "10"},
        },
        {
            "id": "step-3",
            "type": "generate_caption",
            "params": {"platform": "instagram", "includeHashtags": True, "includeCTA": True},
        },
        {"id": "step-4", "type": "review", "params": {}},
        {"id": "step-5", "type": "submit_approval", "params": {"platform": "instagram"}},
        {"id": "step-6", "type": "notify", "params": {}},
    ],
}

DAILY_PRODUCT_SPOTLIGHT = {
    "id": "daily-product-spotlight",
    "name": "Daily Product Spotlight",
    "description": (
        "Each morning one product takes its turn in the spotlight (no repeats until every product "
        "has had one): an image and a caption, sent for approval."
    ),
    "agent": "craig",
    "schedule": "0 10 * * *",
    "requires_approval": True,
    "steps": [
        {"id": "step-1", "type": "select_product", "params": {}},
        {
            "id": "step-2",
            "type": "generate_image",
            "params": {"tier": "free", "style": "professional", "aspectRatio": "4:5"},
        },
        {
            "id": "step-3",
            "type": "generate_caption",
            "params": {"platform": "instagram", "includeHashtags": True, "includeCTA": True},
        },
        {"id": "step-4", "type": "submit_approval", "params": {"platform": "instagram"}},
    ],
}

COMPETITOR_PRICE_ALERT = {
    "id": "competitor-price-alert",
    "name": "Competitor Price Alert",
    "description": (
        "Weekday mornings: competitors' prices against ours, a short briefing video and an "
        "internal alert to the owners. No approval: nothing is published."
    ),
    "agent": "ezal",
    "schedule": "0 8 * * 1-5",
    "requires_approval": False,
    "steps": [
        {"id": "step-1", "type": "fetch_competitor_prices", "params": {}},
        {"id": "step-2", "type": "analyze_pricing", "params": {"thresholdPercent": "5"}},
        {
            "id": "step-3",
            "type": "generate_video",
            "params": {"provider": "veo", "aspectRatio": "16:9", "duration": "5"},
        },
        {"id": "step-4", "type": "notify", "params": {"audience": "owners"}},
    ],
}

PLAYBOOK_TEMPLATES = [WEEKLY_DEALS_VIDEO, DAILY_PRODUCT_SPOTLIGHT, COMPETITOR_PRICE_ALERT]
