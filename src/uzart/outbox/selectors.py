"""Reads of notifications, deliveries and reminder preferences."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from uzart.accounts.models import User
from uzart.errors import NotFound, PermissionDenied
from uzart.outbox.models import Delivery, DeliveryStatus, Notification, ReminderPreference


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notification_unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def preference_get(*, user: User) -> ReminderPreference:
    """The user's channel choices; the defaults (e-mail on, SMS off) until they choose."""
    preference = ReminderPreference.objects.filter(user=user).first()
    return preference if preference is not None else ReminderPreference(user=user, email=True, sms=False)


def preference_map(*, user_ids: list[int]) -> dict[int, ReminderPreference]:
    """The saved preferences of many users at once, by user id (absent: the defaults)."""
    return {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in=user_ids)}


OPERATOR_STATUSES = (DeliveryStatus.DEAD, DeliveryStatus.FAILED, DeliveryStatus.PENDING, DeliveryStatus.SENT)


def delivery_list_for_operator(*, user: User, status: str = DeliveryStatus.DEAD) -> QuerySet[Delivery]:
    """Deliveries with the given status, newest first, for the operator's page."""
    if not user.is_operator:
        raise PermissionDenied()
    if status not in OPERATOR_STATUSES:
        raise NotFound()
    return (
        Delivery.objects.filter(status=status)
        .select_related("notification__user")
        .order_by("-created_at", "-id")
    )


def delivery_counts(*, user: User) -> dict[str, int]:
    """How many deliveries are in each status, for the operator's page."""
    if not user.is_operator:
        raise PermissionDenied()
    rows = Delivery.objects.values("status").annotate(n=Count("id")).order_by()
    counts = {status.value: 0 for status in DeliveryStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
