"""The django-q2 Schedule that ticks the playbook scheduler every minute (idempotent; also made
by ``demo_setup`` and ``manage.py playbooks_scheduler --install``)."""

from django.db import migrations

NAME = "playbooks: start due playbook runs"
FUNC = "playbooks.tasks.schedule_due_playbooks"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME, defaults={"func": FUNC, "schedule_type": "I", "minutes": 1, "repeats": -1}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("playbooks", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
