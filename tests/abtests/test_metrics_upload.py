"""``abtests:upload`` (POST) — a CSV file of metrics on the results page."""

import pytest
from django.urls import reverse

from abtests.models import MediaABTestResult

pytestmark = pytest.mark.django_db


def _url(test):
    return reverse("abtests:upload", args=[test.pk])


def _upload(client, test, tmp_path, content):
    path = tmp_path / "metrics.csv"
    path.write_text(content)
    with path.open("rb") as upload:
        return client.post(_url(test), {"file": upload})


def test_it_sends_anonymous_users_to_login(client, running_test):
    response = client.post(_url(running_test))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_another_tenants_test(user_b_client, running_test, tmp_path):
    response = _upload(user_b_client, running_test, tmp_path, "variant,impressions\nControl,5\n")
    assert response.status_code == 404
    assert running_test.results.filter(impressions__gt=0).count() == 0


def test_it_is_for_an_organisation(super_admin_client, running_test):
    assert super_admin_client.post(_url(running_test)).status_code == 403


def test_it_imports_a_csv_upload(member_a_client, running_test, tmp_path):
    response = _upload(
        member_a_client,
        running_test,
        tmp_path,
        "variant,impressions,clicks\nControl,500,20\nPlayful,520,31\n",
    )
    assert response.status_code == 302
    assert sorted(MediaABTestResult.objects.values_list("clicks", flat=True)) == [20, 31]


def test_it_lists_every_csv_problem(member_a_client, running_test, tmp_path):
    response = _upload(
        member_a_client,
        running_test,
        tmp_path,
        "variant,impressions,clicks\nControl,500,600\nNobody,1,1\n",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 2, clicks: Clicks cannot exceed impressions (500)." in html
    assert "Line 3, variant: No variant &#x27;Nobody&#x27;." in html
    assert not MediaABTestResult.objects.filter(impressions__gt=0).exists()


def test_it_asks_for_a_file(member_a_client, running_test):
    response = member_a_client.post(_url(running_test))
    assert "Choose a CSV file to upload." in response.content.decode()


def test_it_refuses_a_file_for_a_draft(owner_a_client, draft_test, tmp_path):
    # A draft's page has no upload form; a file posted anyway is refused and nothing is written.
    response = _upload(owner_a_client, draft_test, tmp_path, "variant,impressions\nControl,5\n")
    assert response.status_code == 400
    assert not MediaABTestResult.objects.exists()
