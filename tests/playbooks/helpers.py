from datetime import date, timedelta

from django.contrib.messages import get_messages
from django.utils import timezone

from costs.money import decimal_to_micros
from media.services import reject_creative_content
from playbooks.executor import PlaybookExecutionContext, StepRuntime, validate_step
from playbooks.models import Deal, Product
from playbooks.services import start_playbook_run
from tests.media.providers.fakes import Reply

VEO_10S = 4_000_000  # 6 s + 4 s clips billed per second: 10 s x $0.40 (720p with audio)


def context_for(org, **changes) -> PlaybookExecutionContext:
    values = {
        "playbook_id": "pb_test",
        "run_id": "run_test",
        "tenant_id": org.pk,
        "user_id": "7",
        "triggered_by": "manual",
        "variables": {},
        "step_results": {},
        "start_time": timezone.now(),
    }
    values.update(changes)
    return PlaybookExecutionContext(**values)


def runtime_for(org, steps=(), *, dry_run=False, now=None):
    return StepRuntime(
        organisation=org,
        playbook_name="Test playbook",
        steps=[{"id": s["id"], "type": s["type"]} for s in steps],
        dry_run=dry_run,
        now=now or timezone.now(),
    )


def execute(step: dict, context, runtime):
    """Validate and execute one step the way the runner does."""
    from playbooks.executor import STEP_TYPES

    checked = validate_step(step, 0)
    return STEP_TYPES.get(checked["type"]).execute(checked["params"], context, runtime)


def make_shop(org):
    """Three products and two current deals (plus an expired one) for ``org``."""
    products = {
        sku: Product.objects.create(
            organisation=org,
            sku=sku,
            name=name,
            category=category,
            price_micros=decimal_to_micros(price),
            description=f"{name} description",
        )
        for sku, name, category, price in [
            ("BD-35", "Blue Dream 3.5g", "flower", "38.00"),
            ("SOUR-G", "Sour Gummies", "edible", "22.00"),
            ("LR-VAPE", "Live Resin Vape", "vape", "45.00"),
        ]
    }
    # Wide enough for a test whose clock is pinned to a date in late 2026.
    start = min(timezone.now().astimezone(org.tz).date(), date(2026, 11, 1))
    end = max(timezone.now().astimezone(org.tz).date(), date(2026, 12, 31)) + timedelta(days=3)
    Deal.objects.create(
        organisation=org,
        product=products["BD-35"],
        title="20% off all flower",
        discount_percent=20,
        starts_on=start,
        ends_on=end,
    )
    Deal.objects.create(
        organisation=org,
        product=products["SOUR-G"],
        title="Gummies 2 for $35",
        deal_price_micros=decimal_to_micros("35"),
        starts_on=start,
        ends_on=end,
    )
    Deal.objects.create(
        organisation=org,
        title="Expired deal",
        discount_percent=50,
        starts_on=start - timedelta(days=30),
        ends_on=start - timedelta(days=20),
    )
    return products


def messages_of(response) -> list[str]:
    """The messages a view left for the next page."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def reject_submission(run, org, user, comment="Too long: mention Friday") -> str:
    """Reject what ``run`` submitted to the Creative Center; its content id."""
    content_id = run.step_results.get(step_id="step-5").result["content_id"]
    reject_creative_content(
        tenant_id=org.pk, content_id=content_id, reviewed_by=user, comment=comment
    )
    return content_id


def start_manual_run(playbook, **kwargs):
    return start_playbook_run(playbook=playbook, triggered_by="manual", **kwargs)


def step_statuses(run) -> list[tuple[str, str]]:
    return [(row.step_id, row.status) for row in run.step_results.all()]


def provider_outage() -> Reply:
    """A Gemini-style 503 (Veo on the fake server)."""
    return Reply(503, json={"error": {"code": 503, "message": "down", "status": "UNAVAILABLE"}})
