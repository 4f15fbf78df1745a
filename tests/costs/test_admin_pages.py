"""The super-admin pages of the cost core: price versions (list, difference, add; refusals shown
naming provider, model and dimension) and bills (upload, recorded vs billed, flagged days); the
CEO tab's recorded-vs-billed section. Anonymous users go to the login page; tenant users and
owners get 403."""

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from costs import pricing
from costs.domain import MediaGenerationEvent
from costs.models import BilledCost, PriceVersion
from costs.services import track_media_generation

pytestmark = pytest.mark.django_db
PRICES = "/dashboard/costs/prices"
BILLING = "/dashboard/costs/billing"


def _future_version(**edits) -> str:
    data = copy.deepcopy(json.loads((pricing.PRICEBOOK_DIR / "2026-12-01.json").read_text()))
    day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    data["version"] = data["effective_from"] = day
    data["providers"]["gemini-flash"]["models"]["gemini-3.1-flash-image"]["per_image"] = edits.get(
        "flash", "0.045"
    )
    return json.dumps(data)


@pytest.mark.parametrize("path", [PRICES, BILLING])
def test_only_super_admins(client, owner_a_client, member_a_client, path):
    assert client.get(path).status_code == 302
    assert owner_a_client.get(path).status_code == 403
    assert member_a_client.get(path).status_code == 403
    assert owner_a_client.post(path, {"data": _future_version()}).status_code == 403
    assert PriceVersion.objects.count() == 0


def test_versions_listed_compared_and_added(super_admin_client):
    page = super_admin_client.get(PRICES, {"a": "2026-02-01", "b": "2026-12-01"})
    text = page.content.decode()
    assert "2026-02-01" in text and "2026-12-01" in text and "in effect" in text
    assert "gemini-3-pro-image" in text and "size 4K" in text and "$0.240000" in text
    added = super_admin_client.post(PRICES, {"data": _future_version()})
    assert added.status_code == 302
    (row,) = PriceVersion.objects.all()
    listed = super_admin_client.get(PRICES, {"a": "2026-12-01", "b": row.version}).content.decode()
    assert "gemini-3.1-flash-image" in listed and "$0.045000" in listed


def test_a_version_with_a_bad_price_is_refused_naming_it(super_admin_client):
    response = super_admin_client.post(PRICES, {"data": _future_version(flash="-1")})
    assert response.status_code == 400
    assert (
        "provider gemini-flash, model gemini-3.1-flash-image, per image: the price must not be "
        "negative" in response.content.decode()
    )
    assert super_admin_client.post(PRICES, {"data": "{not json"}).status_code == 400
    assert PriceVersion.objects.count() == 0


def test_a_bill_uploaded_then_the_same_file_again(super_admin_client, fake_store, org_a):
    now = datetime.now(UTC)
    track_media_generation(
        MediaGenerationEvent(
            id="one",
            tenant_id=org_a.pk,
            user_id="u",
            type="image",
            provider="gemini-flash",
            created_at=now,
        )
    )
    today = now.date().isoformat()
    csv = (
        "service.description,usage_start_time,cost,currency\n"
        f"Gemini API,{today}T01:00:00Z,1.50,USD\n"
    ).encode()
    upload = SimpleUploadedFile("bill.csv", csv, content_type="text/csv")
    response = super_admin_client.post(BILLING, {"kind": "gcp_csv", "file": upload}, follow=True)
    text = response.content.decode()
    assert "bill.csv: 1 lines, 1 new" in text
    assert "off by more than 2%" in text  # $0.039 recorded against $1.50 billed
    again = SimpleUploadedFile("bill.csv", csv, content_type="text/csv")
    response = super_admin_client.post(BILLING, {"kind": "gcp_csv", "file": again}, follow=True)
    assert "was imported before: nothing changed" in response.content.decode()
    assert BilledCost.objects.count() == 1
    bad = SimpleUploadedFile("bad.csv", csv.replace(b"USD", b"EUR"))
    refused = super_admin_client.post(BILLING, {"kind": "gcp_csv", "file": bad})
    assert refused.status_code == 400
    assert "Row 2: currency &#x27;EUR&#x27;; only USD" in refused.content.decode()
    ceo = super_admin_client.get("/dashboard/ceo", {"tab": "costs"}).content.decode()
    assert 'data-testid="reconciliation"' in ceo and 'data-testid="flagged-day"' in ceo
