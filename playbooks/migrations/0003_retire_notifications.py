"""The notify step posts to the header's bell (``bakedbot.Notice``); its own Notification rows go.
Unread ones move to their person's bell first, so nobody loses a notice they have not seen."""

from django.db import migrations


def move_unread_to_the_bell(apps, schema_editor):
    Notification = apps.get_model("playbooks", "Notification")
    Notice = apps.get_model("bakedbot", "Notice")
    for note in Notification.objects.filter(read_at__isnull=True).iterator():
        key = f"playbook-notification:{note.pk}"
        notice, made = Notice.objects.get_or_create(
            user_id=note.user_id,
            key=key,
            defaults={
                "organisation_id": note.organisation_id,
                "kind": "run",
                "title": note.title[:200],
                "body": note.body[:300],
                "link": note.link[:300],
            },
        )
        if made:  # keep when it was sent (auto_now_add stamped the move)
            Notice.objects.filter(pk=notice.pk).update(created_at=note.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("playbooks", "0002_scheduler_schedule"),
        ("bakedbot", "0004_notice"),
    ]

    operations = [
        migrations.RunPython(move_unread_to_the_bell, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
