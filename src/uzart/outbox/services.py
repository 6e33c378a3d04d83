"""Writing notifications into the outbox, and sending their deliveries with retries.

A notification and its deliveries are written in the caller's transaction; once it commits, a
``deliver_due`` task is enqueued (``transaction.on_commit``). The worker also sends whatever is due on
every pass, so a lost task only delays a message. Sending claims a delivery with a conditional update
(``attempts + 1``, next attempt moved past a lease), so two workers never send the same delivery at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from uzart import clock
from uzart.accounts.models import User
from uzart.audit.services import audit_record
from uzart.errors import PermissionDenied, ValidationFailed
from uzart.outbox.kinds import KINDS
from uzart.outbox.messages import email_content, sms_text
from uzart.outbox.models import (
    RETRYABLE,
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    ReminderPreference,
)
from uzart.outbox.selectors import preference_get
from uzart.outbox.sms import SmsMessage, sms_available, sms_backend

logger = logging.getLogger(__name__)

_local = threading.local()


# --- settings -------------------------------------------------------------------------------------


def max_attempts() -> int:
    """After this many failed attempts a delivery is dead (an operator may resend it)."""
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: base, 2×base, 4×base, ... after the 1st, 2nd, 3rd failure; capped."""
    base = int(getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 60))
    cap = int(getattr(settings, "OUTBOX_RETRY_MAX_SECONDS", 6 * 3600))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "OUTBOX_LEASE_SECONDS", 300)))


# --- waking the worker ----------------------------------------------------------------------------


def _enqueue_delivery_task() -> None:
    from uzart.outbox.tasks import deliver_due

    try:
        deliver_due.enqueue()
    except Exception:  # the worker's own pass sends it anyway
        logger.exception("could not enqueue the delivery task")


def _kick() -> None:
    """Ask for a delivery run once the current transaction commits (once per transaction)."""
    if getattr(_local, "batch_depth", 0):
        _local.batch_wanted = True
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _enqueue_delivery_task for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_delivery_task)


@contextmanager
def delivery_kicks_batched() -> Iterator[None]:
    """Within the block, notifications wake the worker once at the end instead of once each."""
    _local.batch_depth = getattr(_local, "batch_depth", 0) + 1
    try:
        yield
    finally:
        _local.batch_depth -= 1
        if _local.batch_depth == 0 and getattr(_local, "batch_wanted", False):
            _local.batch_wanted = False
            _kick()


# --- writing notifications ------------------------------------------------------------------------


def channels_for(*, user: User, preference: ReminderPreference | None = None) -> list[str]:
    """The channels besides in-app that a notification to ``user`` goes out on."""
    preference = preference if preference is not None else preference_get(user=user)
    channels: list[str] = []
    if preference.email and user.email:
        channels.append(Channel.EMAIL)
    if preference.sms and user.phone and sms_available():
        channels.append(Channel.SMS)
    return channels


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")


def _write(
    *,
    user: User | None,
    kind: str,
    params: dict[str, Any],
    link: str,
    dedupe_key: str | None,
    deliveries: list[tuple[str, str]],
) -> Notification | None:
    _check_kind(kind)
    if dedupe_key is not None and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    now = clock.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, params=params, link=link, dedupe_key=dedupe_key, created_at=now
            )
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None  # a parallel writer sent it first
    if deliveries:
        Delivery.objects.bulk_create(
            Delivery(
                notification=notification,
                channel=channel,
                address=address,
                next_attempt_at=now,
                created_at=now,
            )
            for channel, address in deliveries
        )
        _kick()
    return notification


def notification_enqueue(
    *,
    user: User,
    kind: str,
    params: dict[str, Any],
    link: str = "",
    dedupe_key: str | None = None,
    preference: ReminderPreference | None = None,
) -> Notification | None:
    """Add a notification and its deliveries in the caller's transaction; with a dedupe key, at most once ever."""
    channels = channels_for(user=user, preference=preference)
    return _write(
        user=user,
        kind=kind,
        params=params,
        link=link,
        dedupe_key=dedupe_key,
        deliveries=[(channel, "") for channel in channels],
    )


@dataclass(frozen=True)
class NotificationDraft:
    user: User
    kind: str
    params: dict[str, Any]
    link: str = ""
    dedupe_key: str | None = None
    preference: ReminderPreference | None = None


def notifications_enqueue_many(*, drafts: list[NotificationDraft]) -> list[Notification]:
    """Write many notifications and their deliveries with two inserts, in the caller's transaction.

    A dedupe key already taken raises IntegrityError: the caller rolls back and decides one by one.
    Give each draft its user's preference, or this reads them one by one.
    """
    if not drafts:
        return []
    for draft in drafts:
        _check_kind(draft.kind)
    now = clock.now()
    notifications = Notification.objects.bulk_create(
        Notification(
            user=draft.user,
            kind=draft.kind,
            params=draft.params,
            link=draft.link,
            dedupe_key=draft.dedupe_key,
            created_at=now,
        )
        for draft in drafts
    )
    deliveries = [
        Delivery(notification=notification, channel=channel, next_attempt_at=now, created_at=now)
        for notification, draft in zip(notifications, drafts, strict=True)
        for channel in channels_for(user=draft.user, preference=draft.preference)
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        _kick()
    return notifications


def notification_email_address(
    *, address: str, kind: str, params: dict[str, Any], link: str = "", dedupe_key: str | None = None
) -> Notification | None:
    """An e-mail to a fixed address that is no user's (the operator's mailbox), through the outbox."""
    return _write(
        user=None,
        kind=kind,
        params=params,
        link=link,
        dedupe_key=dedupe_key,
        deliveries=[(Channel.EMAIL, address)],
    )


def notification_mark_read(*, user: User, notification_id: int) -> None:
    """Mark one of the user's notifications read."""
    Notification.objects.filter(user=user, pk=notification_id, read_at__isnull=True).update(
        read_at=clock.now()
    )


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; return how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())


# --- preferences ----------------------------------------------------------------------------------


@transaction.atomic
def preference_set(*, user: User, email: bool, sms: bool) -> ReminderPreference:
    """Choose the channels besides in-app; SMS needs a phone number and a configured gateway."""
    if sms and not sms_available():
        raise ValidationFailed(_("SMS reminders are not available at the moment."))
    if sms and not user.phone:
        raise ValidationFailed(
            _("There is no phone number in your profile. Ask the operator to add it to get SMS reminders.")
        )
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"email": email, "sms": sms, "updated_at": clock.now()}
    )
    audit_record(
        actor=user, action="outbox.preference_set", target=preference, data={"email": email, "sms": sms}
    )
    return preference


# --- sending --------------------------------------------------------------------------------------


class Undeliverable(Exception):
    """A delivery that no retry can fix (no address); it is dead at once."""


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def _describe(exc: BaseException) -> str:
    """The error for the record: its class and message, with configured secrets blanked out."""
    text = f"{type(exc).__name__}: {exc}"
    for secret in (getattr(settings, "EMAIL_HOST_PASSWORD", ""), getattr(settings, "SMS_GATEWAY_TOKEN", "")):
        if secret:
            text = text.replace(str(secret), "***")
    return text[:500]


def _send_email(delivery: Delivery) -> None:
    notification = delivery.notification
    address = delivery.address or (notification.user.email if notification.user is not None else "")
    if not address:
        raise Undeliverable("no e-mail address")
    content = email_content(notification)
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Auto-Submitted": "auto-generated", "X-Uzart-Notification": str(notification.pk)},
    )
    message.attach_alternative(content.html, "text/html")
    message.send(fail_silently=False)


def _send_sms(delivery: Delivery) -> None:
    notification = delivery.notification
    address = delivery.address or (notification.user.phone if notification.user is not None else "")
    backend = sms_backend()
    if backend is None:
        raise Undeliverable("SMS is not configured")
    if not address:
        raise Undeliverable("no phone number")
    backend.send(SmsMessage(to=address, text=sms_text(notification)))


_SENDERS = {Channel.EMAIL: _send_email, Channel.SMS: _send_sms}


def _claim(delivery_id: int, now: dt.datetime) -> Delivery | None:
    """Take a due delivery for one attempt; None when another worker took it first."""
    claimed = Delivery.objects.filter(pk=delivery_id, status__in=RETRYABLE, next_attempt_at__lte=now).update(
        attempts=F("attempts") + 1, next_attempt_at=now + _lease()
    )
    if claimed != 1:
        return None
    return Delivery.objects.select_related("notification__user").get(pk=delivery_id)


def _attempt(delivery: Delivery, report: DeliveryReport) -> None:
    mine = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts)  # still our claim
    try:
        _SENDERS[Channel(delivery.channel)](delivery)
    except Exception as exc:
        error = _describe(exc)
        now = clock.now()
        if isinstance(exc, Undeliverable) or delivery.attempts >= max_attempts():
            mine.update(status=DeliveryStatus.DEAD, last_error=error)
            report.dead += 1
            logger.error("delivery %s (%s) gave up after %s attempts: %s", delivery.pk, delivery.channel,
                         delivery.attempts, error)  # fmt: skip
        else:
            mine.update(
                status=DeliveryStatus.FAILED,
                next_attempt_at=now + retry_delay(delivery.attempts),
                last_error=error,
            )
            report.failed += 1
            logger.warning("delivery %s (%s) failed, attempt %s: %s", delivery.pk, delivery.channel,
                           delivery.attempts, error)  # fmt: skip
    else:
        mine.update(status=DeliveryStatus.SENT, sent_at=clock.now(), last_error="")
        report.sent += 1


def delivery_send_due(*, limit: int = 200) -> DeliveryReport:
    """Send up to ``limit`` due deliveries, oldest due first; failures are rescheduled with backoff."""
    report = DeliveryReport()
    now = clock.now()
    due = Delivery.objects.due(now).order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    for delivery_id in list(due):
        delivery = _claim(delivery_id, now)
        if delivery is not None:
            _attempt(delivery, report)
    return report


@transaction.atomic
def delivery_resend(*, actor: User, delivery_id: int) -> Delivery:
    """Put a dead (or failing) delivery back in the queue with fresh attempts; operators only."""
    if not actor.is_operator:
        raise PermissionDenied()
    now = clock.now()
    updated = Delivery.objects.filter(
        pk=delivery_id, status__in=[DeliveryStatus.DEAD, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="")
    if updated != 1:
        raise ValidationFailed(_("This message is not waiting to be sent again."))
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    audit_record(
        actor=actor,
        action="outbox.delivery_resend",
        target=delivery,
        data={"channel": delivery.channel, "kind": delivery.notification.kind},
    )
    _kick()
    return delivery
