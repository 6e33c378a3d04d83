"""The outbox: notifications written in the same transaction as their cause, and their deliveries.

A notification is shown in-app to its user (that channel cannot be turned off). Each other channel it
goes out on (e-mail, SMS) is a ``Delivery`` row, written in the same transaction and sent later by the
worker with retries and exponential backoff; after ``OUTBOX_MAX_ATTEMPTS`` it is dead and an operator
may resend it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user (or, without a user, to a fixed address such as the operator's)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id or '-'}"

    def render(self) -> tuple[str, str]:
        """The title and text in the active language."""
        from uzart.outbox.kinds import render

        return render(self.kind, self.params)

    @property
    def language(self) -> str:
        """The language the notification is written in outside a request: its user's, else the default."""
        return self.user.preferred_language if self.user is not None else settings.LANGUAGE_CODE


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    FAILED = "failed", _("Failed, will be retried")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Not delivered, gave up")


RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def due(self, at: object) -> DeliveryQuerySet:
        """Waiting or failed deliveries whose next attempt is due at ``at``."""
        return self.filter(status__in=RETRYABLE, next_attempt_at__lte=at)


class Delivery(models.Model):
    """One notification on one channel: its attempts, next try, and the last error (never a secret)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(
        _("address"),
        max_length=254,
        blank=True,
        help_text=_("Empty: the user's current e-mail address or phone number."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="outbox_one_delivery_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "failed"]),
                name="outbox_delivery_due",
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.notification_id} ({self.status})"


class ReminderPreference(models.Model):
    """The channels a user wants notifications on besides in-app (which cannot be turned off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("user"),
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} sms={self.sms}"
