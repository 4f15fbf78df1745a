"""Reads of organisations and their people, for the other apps.

Apps never query ``Organisation`` or ``Membership`` themselves: they ask here, and get plain
dataclasses (or Django's users, for what needs a user row such as a notification).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from bakedbot.models import Membership, Organisation


@dataclass(frozen=True)
class OrganisationInfo:
    """What other apps know of a tenant."""

    id: str
    name: str
    slug: str
    kind: str
    time_zone: str

    @property
    def pk(self) -> str:  # templates written for model rows keep working
        return self.id


def _info(organisation: Organisation) -> OrganisationInfo:
    return OrganisationInfo(
        id=organisation.pk,
        name=organisation.name,
        slug=organisation.slug,
        kind=organisation.kind,
        time_zone=organisation.time_zone,
    )


def organisation_exists(tenant_id: str) -> bool:
    return bool(tenant_id) and Organisation.objects.filter(pk=tenant_id).exists()


def get_organisation(tenant_id: str) -> OrganisationInfo | None:
    """The organisation, or None when there is no such id."""
    organisation = Organisation.objects.filter(pk=tenant_id).first() if tenant_id else None
    return _info(organisation) if organisation is not None else None


def list_organisations() -> list[OrganisationInfo]:
    """Every organisation, by name."""
    return [_info(organisation) for organisation in Organisation.objects.order_by("name")]


SEARCH_RESULTS_MAX = 20


def search_organisations(query: str, *, limit: int = SEARCH_RESULTS_MAX) -> list[OrganisationInfo]:
    """Organisations whose name, slug or id contains ``query`` (all when empty), by name."""
    organisations = Organisation.objects.order_by("name")
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query) | Q(slug__icontains=query) | Q(pk__icontains=query)
        )
    return [_info(organisation) for organisation in organisations[:limit]]


def organisation_names(tenant_ids: Iterable[str]) -> dict[str, str]:
    """``{id: name}`` of the organisations among ``tenant_ids`` (unknown ids are left out)."""
    ids = list(tenant_ids)
    if not ids:
        return {}
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def organisation_time_zone(tenant_id: str) -> str | None:
    """The organisation's IANA time zone, or None when there is no such id."""
    return Organisation.objects.filter(pk=tenant_id).values_list("time_zone", flat=True).first()


def organisation_users(tenant_id: str, *, owners_only: bool = False) -> list:
    """The organisation's active users (its owners only, when asked), by e-mail."""
    memberships = Membership.objects.filter(
        organisation_id=tenant_id, user__is_active=True
    ).select_related("user")
    if owners_only:
        memberships = memberships.filter(role=Membership.Role.OWNER)
    return sorted((m.user for m in memberships), key=lambda user: (user.email, user.pk))
