"""The bell: notices for people, kept here at the bottom layer so every app can post them —
costs (budget alerts), media (content waiting for approval) and playbooks (failed runs, notify
steps) call these services; none of them knows another's models.

A notice is about something (its ``key``); each person has at most one per key, so posting the
same thing twice changes nothing, and when the thing is handled (``notice_resolve``) it leaves
every bell at once, read or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from bakedbot.models import Notice
from bakedbot.selectors import organisation_users

BELL_SIZE = 8  # notices listed in the bell's menu; the notifications page lists up to PAGE_SIZE
PAGE_SIZE = 100
AUDIENCES = ("owners", "everyone")


@dataclass(frozen=True)
class NoticeData:
    id: str
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class Bell:
    unread: int
    notices: tuple[NoticeData, ...]


def _data(notice: Notice) -> NoticeData:
    return NoticeData(
        id=notice.pk,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        link=notice.link,
        created_at=notice.created_at,
        read=notice.read_at is not None,
    )


def notice_post(
    *,
    organisation_id: str,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    audience: str = "owners",
) -> int:
    """Put a notice about ``key`` in the bell of the organisation's owners (or ``everyone``);
    returns how many people got a new one. Someone who already has a notice about ``key`` keeps
    it as it is (no duplicate, not made unread again)."""
    if kind not in Notice.Kind.values or audience not in AUDIENCES:
        raise ValueError(f"Unknown notice kind {kind!r} or audience {audience!r}")
    people = organisation_users(organisation_id, owners_only=audience == "owners")
    user_ids = {user.pk for user in people}
    user_ids -= set(
        Notice.objects.filter(key=key, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    made = 0
    for user_id in sorted(user_ids):
        try:
            with transaction.atomic():
                Notice.objects.create(
                    organisation_id=organisation_id,
                    user_id=user_id,
                    kind=kind,
                    key=key[:120],
                    title=title[:200],
                    body=body[:300],
                    link=link[:300],
                )
        except IntegrityError:
            continue  # posted by a concurrent request a moment ago
        made += 1
    return made


def notice_resolve(*, organisation_id: str, key: str) -> int:
    """What ``key`` is about was handled: its notices leave every bell. Returns how many."""
    return Notice.objects.filter(
        organisation_id=organisation_id, key=key, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


def notice_mark_read(*, user, notice_id: str) -> NoticeData | None:
    """Mark one of ``user``'s notices read; None when they have no such notice."""
    Notice.objects.filter(pk=notice_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notice = Notice.objects.filter(pk=notice_id, user=user).first()
    return None if notice is None else _data(notice)


def notices_mark_all_read(*, user) -> int:
    """Mark every open notice of ``user`` read; returns how many were unread."""
    return Notice.objects.filter(user=user, resolved_at__isnull=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def get_bell(*, user, limit: int = BELL_SIZE) -> Bell:
    """The open notices of ``user`` (newest first, at most ``limit``) and how many are unread."""
    open_notices = Notice.objects.filter(user=user, resolved_at__isnull=True)
    unread = open_notices.filter(read_at__isnull=True).count()
    return Bell(unread=unread, notices=tuple(_data(n) for n in open_notices[:limit]))
