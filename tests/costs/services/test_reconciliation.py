"""Reconciliation (costs.reconciliation): hand-made Google Cloud billing exports and OpenAI
organisation costs (from a local fake server, paging included) against recorded events, per UTC
day and provider, days off by more than 2% flagged; refused files name the row and import
nothing; the same file twice changes nothing."""

import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bakedbot.errors import InvalidInput
from costs.domain import MediaGenerationEvent
from costs.models import BilledCost, BillingImport
from costs.reconciliation import (
    fetch_openai_costs,
    import_gcp_billing_csv,
    import_openai_costs,
    reconcile,
)
from costs.services import track_media_generation
from tests.costs.openai_costs_server import OpenAICostsServer, bucket
from tests.factories import OrganisationFactory

HEADER = "service.description,sku.description,usage_start_time,usage_end_time,cost,currency\n"
GCP = (
    HEADER
    + "Gemini API,Pro image,2026-11-20 00:00:00 UTC,2026-11-20 01:00:00 UTC,0.24,USD\n"
    + "Gemini API,Veo 3.1 video,2026-11-20T05:00:00Z,2026-11-20T06:00:00Z,3.20,USD\n"
    + "Cloud Storage,Storage,2026-11-20 00:00:00 UTC,2026-11-20 01:00:00 UTC,9.99,USD\n"
    + "Gemini API,Pro image,2026-11-21 00:00:00 UTC,2026-11-21 01:00:00 UTC,0.30,USD\n"
)
NOV_20 = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
NOV_21 = NOV_20 + 86_400


@pytest.fixture
def recorded(fake_store, db):
    tenant = OrganisationFactory(name="Recon", time_zone="America/Los_Angeles")

    def event(name, at, **values):
        track_media_generation(
            MediaGenerationEvent(id=name, tenant_id=tenant.pk, user_id="u", created_at=at, **values)
        )

    nov20 = datetime(2026, 11, 20, 3, tzinfo=UTC)  # 19 Nov in Los Angeles: the UTC day counts
    event("img", nov20, type="image", provider="gemini-pro", cost_micros=240_000)
    event("veo", nov20, type="video", provider="veo", duration_seconds=8, cost_micros=3_200_000)
    event("sim", nov20, type="image", provider="gemini-pro", cost_micros=240_000, simulated=True)
    event(
        "img21",
        datetime(2026, 11, 21, 9, tzinfo=UTC),
        type="image",
        provider="gemini-pro",
        cost_micros=240_000,
    )
    event("sora", nov20, type="video", provider="sora", duration_seconds=8, cost_micros=800_000)
    return tenant


def test_gcp_rows_against_recorded_spend_per_day_flagging_more_than_2_percent(recorded):
    result = import_gcp_billing_csv(content=GCP.encode(), name="bill.csv")
    assert (result.rows, result.added, result.skipped, result.already_imported) == (3, 3, 1, False)
    days = reconcile(start=date(2026, 11, 20), end=date(2026, 11, 21))
    google = [day for day in days if day.provider == "google"]
    assert [(d.day, d.recorded_micros, d.billed_micros, d.flagged) for d in google] == [
        (date(2026, 11, 20), 3_440_000, 3_440_000, False),  # the simulated event is not billed
        (date(2026, 11, 21), 240_000, 300_000, True),  # 20% under the bill
    ]
    assert google[1].difference_micros == -60_000 and google[1].difference_percent == -20
    (openai,) = [day for day in days if day.provider == "openai"]
    assert (openai.recorded_micros, openai.billed_micros, openai.flagged) == (800_000, 0, True)


def test_the_same_file_twice_changes_nothing_and_an_overlapping_file_adds_only_new_lines(db):
    import_gcp_billing_csv(content=GCP.encode(), name="bill.csv")
    again = import_gcp_billing_csv(content=GCP.encode(), name="bill-copy.csv")
    assert again.already_imported and again.added == 0
    assert "nothing changed" in again.summary
    more = GCP + "Gemini API,Imagen,2026-11-22 00:00:00 UTC,2026-11-22 01:00:00 UTC,0.04,USD\n"
    result = import_gcp_billing_csv(content=more.encode(), name="bill-2.csv")
    assert (result.rows, result.added) == (4, 1)
    assert BilledCost.objects.count() == 4 and BillingImport.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            GCP.replace("currency\n", "currency,discount\n", 1),
            "Row 1 (the header): unknown columns: discount",
        ),
        (GCP.replace("2026-11-21 00:00:00 UTC", "21/11/2026", 1), "Row 5: usage_start_time"),
        (GCP.replace("3.20,USD", "3.20,EUR"), "Row 3: currency 'EUR'; only USD"),
        (GCP.replace("0.30,USD", "0,30,USD"), "Row 5: it does not have one value per column"),
        (GCP.replace("0.24,USD", "abc,USD"), "Row 2: cost 'abc' is not a decimal amount"),
        (HEADER.replace(",currency", ""), "missing columns: currency"),
    ],
)
def test_a_bad_billing_file_is_refused_naming_the_row_and_nothing_is_imported(db, content, message):
    with pytest.raises(InvalidInput) as caught:
        import_gcp_billing_csv(content=content.encode(), name="bad.csv")
    assert message in caught.value.errors["file"]
    assert BilledCost.objects.count() == 0 and BillingImport.objects.count() == 0


def test_openai_costs_from_the_fake_server_with_paging(recorded, monkeypatch, settings):
    buckets = [
        bucket(NOV_20, ("0.5", "Sora video"), ("0.3", "Sora video")),
        bucket(NOV_21, ("0.000125", "gpt-5-mini, input")),
    ]
    with OpenAICostsServer(buckets) as server:
        pages = fetch_openai_costs(
            base_url=server.base_url, api_key="sk-admin", start=date(2026, 11, 20)
        )
        assert len(pages) == 2  # followed next_page
        assert server.requests[0]["query"]["start_time"] == str(NOV_20)
        assert server.requests[1]["query"]["page"] == "page_1"
        assert server.requests[0]["auth"] == "Bearer sk-admin"

        settings.OPENAI_BASE_URL = server.base_url
        monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin")
        out = StringIO()
        call_command("costs_import_bill", "--openai-fetch", "--from", "2026-11-20", stdout=out)
        assert "3 lines, 3 new" in out.getvalue()
        out = StringIO()
        call_command("costs_import_bill", "--openai-fetch", "--from", "2026-11-20", stdout=out)
        assert "nothing changed" in out.getvalue()
    (nov20,) = [
        d
        for d in reconcile(start=date(2026, 11, 20), end=date(2026, 11, 20))
        if d.provider == "openai"
    ]
    assert (nov20.recorded_micros, nov20.billed_micros, nov20.flagged) == (800_000, 800_000, False)


def test_openai_costs_refused_naming_the_result(db, tmp_path):
    page = {
        "object": "page",
        "data": [bucket(NOV_20, ("1.0", "Sora video"))],
        "has_more": False,
        "next_page": None,
    }
    page["data"][0]["results"][0]["amount"]["currency"] = "eur"
    path = tmp_path / "costs.json"
    path.write_text(json.dumps(page))
    with pytest.raises(CommandError, match=r"Page 1, bucket 1, result 1: currency 'eur'"):
        call_command("costs_import_bill", "--openai-json", str(path))
    assert BilledCost.objects.count() == 0
    with pytest.raises(InvalidInput, match="start_time"):
        import_openai_costs(content=b'{"data": [{"start_time": "yesterday"}]}', name="x.json")
