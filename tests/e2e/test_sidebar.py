import pytest

pytestmark = pytest.mark.django_db(transaction=True)

TENANT = ["Media", "Creative Center", "Presets", "A/B tests", "Playbooks"]
OWNER = [*TENANT, "API tokens"]
OPERATIONS = [
    "Creative Center",
    "Media Costs",
    "Price versions",
    "Bills",
    "Playbooks",
    "API tokens",
]


def _sidebar(page) -> list[str]:
    return [text.strip() for text in page.locator("[data-testid=sidebar] a").all_inner_texts()]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner_a", OWNER), ("member_a", TENANT), ("super_admin", OPERATIONS)],
)
def test_it_shows_each_role_exactly_the_entries_it_may_open(
    request, page, login, live_server, tmp_path, who, expected
):
    user = request.getfixturevalue(who)
    login(page, user)
    assert [entry.split(maxsplit=1)[1] for entry in _sidebar(page)] == expected
    page.screenshot(path=str(tmp_path / f"sidebar-{who}.png"), full_page=True)
    for href in page.locator("[data-testid=sidebar] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        response = page.goto(f"{live_server.url}{href}")
        assert response.status == 200, href


def test_it_refuses_a_tenant_user_the_operations_pages(page, login, live_server, member_a):
    login(page, member_a)
    response = page.goto(f"{live_server.url}/dashboard/ceo?tab=costs")
    assert response.status == 403
