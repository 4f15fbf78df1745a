"""The 403, 404 and 500 pages: inside the dashboard shell with the way back for people logged in,
a plain page for anonymous visitors, and no traceback logged for an expected 403."""

import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bakedbot import error_views


def test_it_draws_the_404_page_inside_the_shell(owner_a_client):
    response = owner_a_client.get("/no/such/page")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-page" data-status="404"' in html
    assert 'data-testid="sidebar"' in html and reverse("dashboard") in html
    assert "Page not found" in html


def test_it_draws_a_plain_404_for_anonymous_visitors(client, db):
    response = client.get("/no/such/page")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-status="404"' in html and 'data-testid="sidebar"' not in html
    assert reverse("login") in html  # their way back


def test_it_draws_the_403_page_with_the_reason(member_a_client):
    # Members may not manage API tokens: the reason is on the page, the way back too.
    response = member_a_client.get(reverse("api_tokens"))
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-status="403"' in html and "Organisation owners manage API tokens" in html
    assert 'data-testid="sidebar"' in html and 'data-testid="error-home"' in html


def test_it_logs_an_expected_403_in_one_line_without_the_traceback(member_a_client, caplog):
    handler = logging.StreamHandler()
    handler.addFilter(error_views.ExpectedErrorsWithoutTraceback())
    records = []
    handler.emit = records.append
    logging.getLogger("django.request").addHandler(handler)
    try:
        assert member_a_client.get(reverse("api_tokens")).status_code == 403
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    [record] = records
    assert record.getMessage().startswith("Forbidden") and record.exc_info is None


def test_it_keeps_the_traceback_of_a_500():
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", (), None)
    record.status_code = 500
    record.exc_info = (RuntimeError, RuntimeError("boom"), None)
    assert error_views.ExpectedErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None


@pytest.fixture
def failing_page(settings):
    """A URL whose view raises: the project's URLs plus one broken page."""
    settings.ROOT_URLCONF = "tests.bakedbot.urls_failing"
    settings.DEBUG = False


def test_it_draws_the_500_page_inside_the_shell(failing_page, owner_a):
    client = Client(raise_request_exception=False)
    client.force_login(owner_a)
    response = client.get("/boom")
    html = response.content.decode()
    assert response.status_code == 500
    assert 'data-status="500"' in html and 'data-testid="sidebar"' in html


def test_it_draws_the_500_page_without_the_shell_when_the_database_is_down(
    failing_page, owner_a, monkeypatch
):
    client = Client(raise_request_exception=False)
    client.force_login(owner_a)

    def refuse(*args, **kwargs):
        raise RuntimeError("database unreachable")

    # The view fails, then every query the shell would make fails too.
    response_holder = {}

    def view_then_break(request):
        monkeypatch.setattr(connection, "cursor", refuse)
        response_holder["broke"] = True
        raise RuntimeError("the page failed")

    from tests.bakedbot import urls_failing

    monkeypatch.setattr(urls_failing, "current_view", view_then_break)
    try:
        response = client.get("/boom")
    finally:
        monkeypatch.undo()  # the database back before the test's own teardown uses it
    html = response.content.decode()
    assert response_holder == {"broke": True}
    assert response.status_code == 500
    assert 'data-status="500"' in html and 'data-testid="sidebar"' not in html


def test_it_links_a_favicon_from_every_page(client, db):
    html = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
