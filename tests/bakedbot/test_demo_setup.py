from django.contrib.auth import get_user_model
from django.core.management import call_command

from bakedbot.demo import DEMO_PASSWORD
from bakedbot.models import Membership, Organisation


def test_it_creates_demo_tenants_and_logins_idempotently(db, capsys):
    call_command("demo_setup")
    call_command("demo_setup")
    out = capsys.readouterr().out
    orgs = Organisation.objects.all()
    assert sorted(orgs.values_list("kind", flat=True)) == [
        "brand",
        "brand",
        "dispensary",
        "dispensary",
    ]
    assert len(set(orgs.values_list("time_zone", flat=True))) == 4
    for org in orgs:
        roles = sorted(Membership.objects.filter(organisation=org).values_list("role", flat=True))
        assert roles == ["member", "owner"]
    admin = get_user_model().objects.get(username="admin@bakedbot.test")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert get_user_model().objects.count() == 9
    assert "admin@bakedbot.test" in out and DEMO_PASSWORD in out
