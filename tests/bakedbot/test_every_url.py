"""Every dashboard URL that exists sends anonymous users to the login page, whatever its method —
a guard that new pages cannot forget their decorators (each app's tests cover roles and tenants)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver


def _dashboard_paths(patterns=None, prefix="") -> list[str]:
    paths = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths += _dashboard_paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("dashboard"):
            # Any value for a path argument: the login check comes before the lookup.
            paths.append("/" + re.sub(r"<(?:\w+:)?\w+>", "1", route).lstrip("^").rstrip("$"))
    return sorted(set(paths))


DASHBOARD_PATHS = _dashboard_paths()


def test_it_finds_the_dashboard_urls():
    assert "/dashboard/media" in DASHBOARD_PATHS
    assert len(DASHBOARD_PATHS) > 40


@pytest.mark.parametrize("path", DASHBOARD_PATHS)
def test_it_sends_anonymous_users_to_login(client, db, path):
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/accounts/login/"), path
