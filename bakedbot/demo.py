"""Demo organisations and logins, created idempotently by ``manage.py demo_setup``."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from bakedbot.models import Membership, Organisation

DEMO_PASSWORD = "bakedbot-demo"
SUPER_ADMIN_EMAIL = "admin@bakedbot.test"


@dataclass(frozen=True)
class DemoOrg:
    id: str
    name: str
    slug: str
    kind: str
    time_zone: str


DEMO_ORGS = [
    DemoOrg("org_greenleaf", "Greenleaf Brands", "greenleaf", "brand", "America/Los_Angeles"),
    DemoOrg("org_summit", "Summit Cannabis Co.", "summit", "brand", "America/Denver"),
    DemoOrg("org_evergreen", "Evergreen Dispensary", "evergreen", "dispensary", "America/New_York"),
    DemoOrg("org_harbor", "Harbor Dispensary", "harbor", "dispensary", "Pacific/Honolulu"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organisation: str


def _user(email: str, first_name: str, *, superuser: bool = False):
    user, created = get_user_model().objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
    user.is_superuser = user.is_staff = superuser
    user.save()
    return user


@transaction.atomic
def demo_setup_tenants() -> list[DemoLogin]:
    """Create (or restore) the demo organisations, their owners and members, and a super admin."""
    logins = [DemoLogin(SUPER_ADMIN_EMAIL, "super admin", "all organisations")]
    _user(SUPER_ADMIN_EMAIL, "Avery", superuser=True)
    for demo in DEMO_ORGS:
        org, _ = Organisation.objects.update_or_create(
            id=demo.id,
            defaults={
                "name": demo.name,
                "slug": demo.slug,
                "kind": demo.kind,
                "time_zone": demo.time_zone,
            },
        )
        for role in (Membership.Role.OWNER, Membership.Role.MEMBER):
            email = f"{role}@{demo.slug}.test"
            user = _user(email, f"{demo.name.split()[0]} {role}")
            Membership.objects.update_or_create(
                user=user, defaults={"organisation": org, "role": role}
            )
            logins.append(DemoLogin(email, role, demo.name))
    return logins


def load_demo_data(write) -> None:
    logins = demo_setup_tenants()
    write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        write(f"  {login.email:<28} {login.role:<12} {login.organisation}")
