"""The API's docs page and the token page in a real browser."""

import json

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_renders_the_api_docs_from_our_own_server_only(page, live_server, tmp_path):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "BakedBot Media API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/usage" in [path.strip() for path in paths]
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "api-docs.png"), full_page=True)
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    assert any(url.endswith("/static/ninja/swagger-ui-bundle.js") for url in requested)


def test_it_shows_a_new_token_once_and_it_works(page, login, live_server, owner_a, tmp_path):
    login(page, owner_a)
    page.click("[data-testid=sidebar] >> text=API tokens")
    page.wait_for_url(f"{live_server.url}/dashboard/api-tokens")
    page.fill("#id_name", "Looker export")
    page.click("text=Create token")
    secret = page.input_value("[data-testid=secret]")
    assert secret.startswith("bb_")
    page.screenshot(path=str(tmp_path / "api-token-created.png"), full_page=True)

    response = page.request.get(
        f"{live_server.url}/api/v1/budget", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status == 200
    assert json.loads(response.text())["state"] == "ok"

    page.goto(f"{live_server.url}/dashboard/api-tokens")
    assert page.locator("[data-testid=secret]").count() == 0
    assert secret not in page.content()
    row = page.locator("[data-testid=tokens] tbody tr").first
    assert "Looker export" in row.inner_text() and "Never" not in row.inner_text()

    row.locator("[data-testid=revoke]").click()
    page.wait_for_selector("text=Revoked")
    response = page.request.get(
        f"{live_server.url}/api/v1/budget", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status == 401
