"""Creative Center demo data: a few simulated images and a video per demo organisation, made by
the real generation service (so they are in the gallery, the cost events and the cache), and
content in the approval queue — pending from a playbook and from a user, one already approved.

Safe to run again: an organisation that already has its first demo picture is left alone.
Always simulated, even where a provider has an API key: demo data never pays a provider.
"""

from django.contrib.auth import get_user_model

from bakedbot.demo import DEMO_ORGS
from costs.budgets import BudgetExceeded
from media.jobs import ensure_media_schedules
from media.models import MediaAsset
from media.services import (
    approve_creative_content,
    generate_image,
    generate_video,
    submit_content_for_approval,
)

# (kind, provider, prompt, aspect ratio, preset id, video seconds)
DEMO_MEDIA = {
    "org_greenleaf": [
        ("image", "gemini-flash", "Blue Dream eighths on a sunlit kitchen counter", "4:5",
         "builtin-product-spotlight", None),
        ("image", "gemini-pro", "Gummies two for $35, a picnic blanket in the park", "1:1",
         "builtin-playful", None),
        ("video", "veo", "Slow pan across the Greenleaf shop front at opening time", "9:16",
         None, 12),
    ],
    "org_summit": [
        ("image", "gemini-flash", "Mountain sunrise behind a jar of Summit flower", "16:9",
         "builtin-craft-cultivation", None),
    ],
    "org_evergreen": [
        ("image", "gemini-flash", "Vape Friday: $10 off live resin carts", "1:1",
         "builtin-modern", None),
    ],
}  # fmt: skip
# (organisation, title, platform, caption, media indexes, from a playbook, approved)
DEMO_CONTENT = [
    ("org_greenleaf", "Weekly deals video", "instagram",
     "This week at Greenleaf: 20% off all flower. 21+ only. #greenleaf", [2], True, False),
    ("org_greenleaf", "Gummy picnic", "facebook",
     "Mix and match any two 10-packs for $35. 21+ only.", [1], False, False),
    ("org_greenleaf", "Product spotlight: Blue Dream", "instagram",
     "Sweet berry aroma, balanced and bright. 21+ only.", [0], True, True),
    ("org_summit", "Summit sunrise", "twitter",
     "Fresh drop from the mountain. 21+ only.", [0], False, False),
]  # fmt: skip


def _owner(org_slug: str):
    return get_user_model().objects.filter(username=f"owner@{org_slug}.test").first()


def load_demo_data(write) -> None:
    ensure_media_schedules()
    made = {}
    for demo in DEMO_ORGS:
        items = DEMO_MEDIA.get(demo.id, [])
        if not items or MediaAsset.objects.filter(tenant_id=demo.id, prompt=items[0][2]).exists():
            continue
        owner = _owner(demo.slug)
        user_id = str(owner.pk) if owner else None
        results = []
        try:
            for kind, provider, prompt, ratio, preset, seconds in items:
                common = {"provider": provider, "prompt": prompt, "aspect_ratio": ratio}
                if kind == "video":
                    result = generate_video(
                        demo.id, user_id, duration_seconds=seconds, simulate=True, **common
                    )
                else:
                    result = generate_image(
                        demo.id, user_id, preset_id=preset, simulate=True, **common
                    )
                results.append(result)
        except BudgetExceeded as blocked:
            write(f"Creative Center demo for {demo.name} stopped by its budget: {blocked}")
        made[demo.id] = (owner, results)
    for tenant_id, title, platform, caption, indexes, playbook, approved in DEMO_CONTENT:
        if tenant_id not in made:
            continue
        owner, results = made[tenant_id]
        media_ids = [results[i].id for i in indexes if i < len(results)]
        if not media_ids:
            continue
        submitted = submit_content_for_approval(
            tenant_id=tenant_id,
            title=title,
            caption=caption,
            platform=platform,
            media_ids=media_ids,
            playbook_run_id="demo-playbook-run" if playbook else None,
            submitted_by=None if playbook else owner,
        )
        if approved:
            approve_creative_content(
                tenant_id=tenant_id,
                content_id=submitted.id,
                reviewed_by=owner,
                comment="Looks good.",
            )
    write(
        f"Creative Center: simulated media and approval queue items for {len(made)} organisations"
    )
