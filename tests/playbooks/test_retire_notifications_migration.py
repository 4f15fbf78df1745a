"""playbooks 0003: the notify step's own Notification rows go; unread ones move to their person's
bell first (sent time kept), read ones are dropped."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("playbooks", "0002_scheduler_schedule")]
AFTER = [("playbooks", "0003_retire_notifications")]
SENT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens, the schema ends migrated to the latest state for the next tests."""
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.usefixtures("back_to_latest")
def test_unread_notifications_move_to_the_bell(org_a, owner_a, member_a):
    old = _migrate(BEFORE)
    Notification = old.get_model("playbooks", "Notification")
    unread = Notification.objects.create(
        organisation_id=org_a.pk, user_id=owner_a.pk, title="Weekly deals finished", body="Done."
    )
    Notification.objects.filter(pk=unread.pk).update(created_at=SENT)
    Notification.objects.create(
        organisation_id=org_a.pk, user_id=member_a.pk, title="Seen", read_at=SENT
    )

    new = _migrate(AFTER)
    Notice = new.get_model("bakedbot", "Notice")
    [notice] = Notice.objects.all()
    assert (notice.user_id, notice.organisation_id, notice.kind, notice.key) == (
        owner_a.pk,
        org_a.pk,
        "run",
        f"playbook-notification:{unread.pk}",
    )
    assert (notice.title, notice.body, notice.created_at) == (
        "Weekly deals finished",
        "Done.",
        SENT,
    )
    assert notice.read_at is None and notice.resolved_at is None
    with pytest.raises(LookupError):
        new.get_model("playbooks", "Notification")
