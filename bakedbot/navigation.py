"""The sidebar: only the entries the signed-in user may open."""

from dataclasses import dataclass

from django.urls import reverse

from bakedbot.models import Membership
from bakedbot.tenancy import get_membership, is_super_admin


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str
    active: bool


@dataclass(frozen=True)
class NavSection:
    title: str
    items: list[NavItem]


TENANT_ENTRIES = [
    ("Media", "media:dashboard", "", "◧"),
    ("Creative Center", "media:creative", "", "✦"),
    ("Presets", "presets:gallery", "", "◐"),
    ("A/B tests", "abtests:list", "", "⚖"),
    ("Playbooks", "playbooks:list", "", "▶"),
]
# Only owners manage their organisation's API tokens; members do not see the entry.
OWNER_ENTRIES = [
    ("API tokens", "api_tokens", "", "◈"),
]
OPERATIONS_ENTRIES = [
    ("Creative Center", "media:creative", "", "✦"),
    ("Media Costs", "costs:ceo", "?tab=costs", "$"),
    ("Playbooks", "playbooks:ceo_library", "", "▤"),
    ("API tokens", "api_tokens", "", "◈"),
]


def _section(request, title, entries) -> NavSection:
    items = []
    for label, name, query, icon in entries:
        path = reverse(name)
        items.append(NavItem(label, path + query, icon, active=request.path == path))
    return NavSection(title, items)


def sidebar_sections(request) -> list[NavSection]:
    user = request.user
    if not user.is_authenticated:
        return []
    sections = []
    membership = get_membership(user)
    if membership is not None:
        entries = TENANT_ENTRIES
        if membership.role == Membership.Role.OWNER:
            entries = [*TENANT_ENTRIES, *OWNER_ENTRIES]
        sections.append(_section(request, membership.organisation.name, entries))
    if is_super_admin(user):
        sections.append(_section(request, "Operations", OPERATIONS_ENTRIES))
    return sections


def sidebar(request) -> dict:
    """Template context processor."""
    if not hasattr(request, "user"):
        return {}
    membership = get_membership(request.user)
    return {
        "sidebar_sections": sidebar_sections(request),
        "current_membership": membership,
        "is_super_admin": is_super_admin(request.user),
    }
