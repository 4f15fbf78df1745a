"""``GET /api/v1/global/reconciliation``: recorded vs billed per UTC day and bill, days off by
more than 2% flagged; platform tokens only (403 for a tenant token, 401 without one); bad dates
answer 400 naming both fields."""

from datetime import UTC, datetime

import pytest

from costs.reconciliation import import_gcp_billing_csv
from tests.api.conftest import record

pytestmark = pytest.mark.django_db
URL = "/global/reconciliation"


def test_recorded_against_billed(api_platform, org_a):
    record(
        org_a,
        1,
        at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        provider="gemini-pro",
        cost_micros=240_000,
    )
    record(
        org_a,
        2,
        at=datetime(2026, 11, 21, 9, tzinfo=UTC),
        provider="gemini-pro",
        cost_micros=240_000,
    )
    import_gcp_billing_csv(
        content=(
            b"service.description,usage_start_time,cost,currency\n"
            b"Gemini API,2026-11-20T02:00:00Z,0.244,USD\n"
            b"Gemini API,2026-11-21T02:00:00Z,0.30,USD\n"
        ),
        name="bill.csv",
    )
    response = api_platform.get(URL, {"start_date": "2026-11-20", "end_date": "2026-11-21"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["flagged_days"] == 1
    assert [
        (
            d["date"],
            d["provider"],
            d["recorded"],
            d["billed"],
            d["difference_percent"],
            d["flagged"],
        )
        for d in body["days"]
    ] == [
        ("2026-11-20", "google", "0.24", "0.244", "-1.6", False),
        ("2026-11-21", "google", "0.24", "0.30", "-20.0", True),
    ]


def test_platform_tokens_only_and_bad_dates(api_a, api_anonymous, api_platform):
    assert api_a.get(URL).status_code == 403
    assert api_anonymous.get(URL).status_code == 401
    response = api_platform.get(URL, {"start_date": "2026-11-21", "end_date": "2026-11-20"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"start_date", "end_date"}
