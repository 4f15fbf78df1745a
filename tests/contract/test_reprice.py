"""``costs_reprice`` on every backend: after a super admin corrects a version, events recorded
from a date are priced again with their aggregates (a dry run writes nothing; a second run finds
nothing to change; amounts a caller gave, failures and cache hits are left alone)."""

import copy
import json
from datetime import UTC, date, datetime
from io import StringIO

from django.core.management import call_command

from costs import pricing
from costs.domain import MediaGenerationEvent
from costs.price_versions import add_price_version
from costs.services import track_media_generation
from costs.stores import get_repository
from tests.factories import OrganisationFactory

AT = datetime(2026, 12, 1, 13, tzinfo=UTC)
DAY = date(2026, 12, 1)  # UTC tenants: the local date is the UTC date


def _record(tenant, name, **values):
    values.setdefault("type", "image")
    return track_media_generation(
        MediaGenerationEvent(
            id=f"{tenant.pk}-{name}", tenant_id=tenant.pk, user_id="u", created_at=AT, **values
        )
    )


def _correction() -> dict:
    data = json.loads((pricing.PRICEBOOK_DIR / "2026-12-01.json").read_text())
    fixed = copy.deepcopy(data)
    fixed["version"] = "2026-12-01.r2"
    fixed["providers"]["gemini-pro"]["models"]["gemini-3-pro-image"]["sizes"]["4K"] = "0.30"
    fixed["providers"]["veo"]["models"]["veo-3.1-generate-preview"]["per_second"]["720p"][
        "audio"
    ] = "0.35"
    return fixed


def test_reprice_moves_events_and_aggregates_together(cost_store):
    tenant = OrganisationFactory(name="Reprice", time_zone="UTC")
    image = _record(tenant, "4k", provider="gemini-pro", image_size="4K")
    video = _record(tenant, "veo", type="video", provider="veo", duration_seconds=8)
    given = _record(tenant, "given", provider="gemini-pro", image_size="4K", cost_micros=123)
    failed = _record(tenant, "failed", provider="gemini-pro", success=False, cost_micros=0)
    flash = _record(tenant, "flash", provider="gemini-flash")
    assert (image.cost_micros, video.cost_micros) == (240_000, 3_200_000)
    repository = get_repository()
    before = repository.tenant_usage(tenant.pk, DAY, DAY).totals.cost_micros
    assert before == 240_000 + 3_200_000 + 123 + 39_000

    add_price_version(data=_correction(), corrects="2026-12-01")

    out = StringIO()
    call_command("costs_reprice", "--from", "2026-12-01", "--dry-run", stdout=out)
    assert (
        "Dry run: 5 events from 2026-12-01 examined, 3 to re-price, 0 re-priced" in out.getvalue()
    )
    assert repository.get_event(image.id).cost_micros == 240_000  # nothing written

    out = StringIO()
    call_command("costs_reprice", "--from", "2026-12-01", stdout=out)
    report = out.getvalue()
    assert "3 to re-price, 3 re-priced; difference $-0.340000" in report
    assert f"{image.id} ({tenant.pk}, gemini-pro gemini-3-pro-image): $0.240000 -> $0.300000" in (
        report
    )
    assert "left alone: 1 (failures and cache hits cost $0)" in report
    assert "left alone: 1 (its cost was given, not priced by the book)" in report

    assert (
        repository.get_event(image.id).cost_micros,
        repository.get_event(image.id).price_version,
    ) == (
        300_000,
        "2026-12-01.r2",
    )
    assert repository.get_event(video.id).cost_micros == 2_800_000
    assert repository.get_event(given.id).cost_micros == 123
    assert repository.get_event(failed.id).cost_micros == 0
    # The flash image's price did not change, but it is now charged under the corrected version.
    assert repository.get_event(flash.id).cost_micros == 39_000
    usage = repository.tenant_usage(tenant.pk, DAY, DAY)
    assert usage.totals.cost_micros == before - 340_000
    assert usage.by_provider["veo"].cost_micros == 2_800_000
    assert usage.by_type["image"].cost_micros == 300_000 + 123 + 39_000
    assert repository.global_usage(DAY, DAY).totals.cost_micros == before - 340_000
    assert repository.recompute_aggregates(tenant_id=tenant.pk).clean

    out = StringIO()
    call_command("costs_reprice", "--from", "2026-12-01", stdout=out)
    assert "0 to re-price, 0 re-priced" in out.getvalue()
