"""Writing notifications into the outbox."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from uzart import clock
from uzart.accounts.models import User
from uzart.outbox.kinds import KINDS
from uzart.outbox.models import Notification


def notification_enqueue(
    *, user: User, kind: str, params: dict[str, Any], link: str = "", dedupe_key: str | None = None
) -> Notification | None:
    """Add a notification in the caller's transaction; with a dedupe key, at most once ever."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if dedupe_key is not None and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, kind=kind, params=params, link=link, dedupe_key=dedupe_key, created_at=clock.now()
            )
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None  # a parallel writer sent it first


def notification_mark_read(*, user: User, notification_id: int) -> None:
    """Mark one of the user's notifications read."""
    Notification.objects.filter(user=user, pk=notification_id, read_at__isnull=True).update(read_at=clock.now())
