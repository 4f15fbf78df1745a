"""API fixtures: a token for organisation A (made by its owner), one for organisation B, a
platform token (made by a super admin), and clients that send them."""

import pytest
from django.test import Client

from bakedbot.api_tokens import create_api_token
from costs.domain import MediaGenerationEvent
from costs.services import track_media_generation
from playbooks.models import Playbook
from playbooks.services import (
    install_playbook_template,
    seed_playbook_templates,
    start_playbook_run,
)
from tests.abtests.conftest import make_test, start, variant_ids


class ApiClient:
    """A Django test client that sends one bearer token (or none) with every request."""

    def __init__(self, secret: str | None = None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, params=None, **headers):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers | headers)

    def post(self, path: str, body=None, **headers):
        return self.client.post(
            f"/api/v1{path}",
            body if body is not None else {},
            content_type="application/json",
            headers=self.headers | headers,
        )


def _token(tenant, user, *, platform=False):
    made = create_api_token(tenant=tenant, name="Test", created_by=user, platform=platform)
    assert made.secret.startswith("bb_")
    return made


@pytest.fixture
def token_a(org_a, owner_a):
    return _token(org_a, owner_a)


@pytest.fixture
def token_b(org_b, user_b):
    return _token(org_b, user_b)


@pytest.fixture
def platform_token(super_admin):
    return _token(None, super_admin, platform=True)


@pytest.fixture
def api_a(token_a):
    return ApiClient(token_a.secret)


@pytest.fixture
def api_b(token_b):
    return ApiClient(token_b.secret)


@pytest.fixture
def api_platform(platform_token):
    return ApiClient(platform_token.secret)


@pytest.fixture
def api_anonymous(db):
    return ApiClient()


def record(tenant, n, *, at, provider="gemini-flash", type="image", **fields):
    """Record one generation for ``tenant`` through the cost core, as generation does."""
    if provider in ("veo", "sora"):
        type = "video"
        fields.setdefault("duration_seconds", 8)
    return track_media_generation(
        MediaGenerationEvent(
            id=f"{tenant.pk}-{n}",
            tenant_id=tenant.pk,
            user_id="tester",
            type=type,
            provider=provider,
            created_at=at,
            **fields,
        )
    )


def path_ids(tenant) -> dict[str, str]:
    """Real ids of ``tenant``'s for the API's path parameters: a running A/B test and its first
    variant, an installed playbook and a run of it (never executed: on_commit does not fire in a
    test's transaction)."""
    test = start(make_test(tenant))
    seed_playbook_templates()
    installed = install_playbook_template(template_id="weekly-deals-video", org_id=tenant.pk)
    run = start_playbook_run(
        playbook=Playbook.objects.get(pk=installed.playbook_id), triggered_by="manual"
    )
    return {
        "test_id": test.pk,
        "variant_id": variant_ids(test)[0],
        "playbook_id": installed.playbook_id,
        "run_id": run.pk,
    }


@pytest.fixture
def store(sql_store):
    """The SQL cost store (each test starts from an empty one)."""
    return sql_store
