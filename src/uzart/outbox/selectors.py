"""Reads of notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from uzart.accounts.models import User
from uzart.outbox.models import Notification


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs
