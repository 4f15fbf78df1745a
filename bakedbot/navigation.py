"""The sidebar: only the entries the signed-in user may open."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse

from bakedbot.models import Membership
from bakedbot.tenancy import get_current_tenant, get_membership, is_super_admin


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
    ("Price versions", "costs:price_versions", "", "¤"),
    ("Bills", "costs:billing", "", "≋"),
    ("Playbooks", "playbooks:ceo_library", "", "▤"),
    ("API tokens", "api_tokens", "", "◈"),
]


def _section(request, title, entries, *, tenant_id: str = "") -> NavSection:
    items = []
    for label, name, query, icon in entries:
        path = reverse(name)
        url = path + query
        if tenant_id:
            url = f"{path}?{urlencode({'tenant': tenant_id})}"
        items.append(NavItem(label, url, icon, active=request.path == path))
    return NavSection(title, items)


# -- the organisation switcher (super admins) ----------------------------------------------------


def switch_target(path: str) -> str:
    """The organisation page a switch keeps: ``path`` when it is one of them (a page inside one,
    such as a playbook, becomes its section: the object belongs to the organisation left), else
    "" (the switch opens the Media page)."""
    if not path.startswith("/") or path.startswith("//"):
        return ""
    for _, name, _, _ in TENANT_ENTRIES:
        root = reverse(name)
        if path == root or path.startswith(root + "/"):
            return root
    return ""


@dataclass(frozen=True)
class OrganisationLinks:
    open_url: str  # the page being switched, for this organisation
    pages: list[NavItem]  # every organisation page, for this organisation


def organisation_pages(tenant_id: str, *, current: str = "") -> OrganisationLinks:
    query = urlencode({"tenant": tenant_id})
    pages = [
        NavItem(label, f"{reverse(name)}?{query}", icon, active=reverse(name) == current)
        for label, name, _, icon in TENANT_ENTRIES
    ]
    return OrganisationLinks(f"{current or reverse('media:dashboard')}?{query}", pages)


def acting_organisation(request):
    """The organisation a super admin is acting for (``?tenant=``), or None."""
    if not is_super_admin(request.user) or not request.GET.get("tenant", "").strip():
        return None
    try:
        return get_current_tenant(request)
    except Http404:
        return None


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
        acting = acting_organisation(request)
        if acting is not None and membership is None:
            # Every page of the organisation being looked at is one click away.
            sections.append(_section(request, acting.name, TENANT_ENTRIES, tenant_id=acting.pk))
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
        "acting_organisation": acting_organisation(request),
        "switch_next": switch_target(request.path),
    }
