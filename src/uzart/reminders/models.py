"""The reminder policy (operator-edited) and the record of every reminder threshold handled."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def parse_days(value: str) -> list[int]:
    """ "30, 14, 7" → [30, 14, 7]; ValidationError on anything else."""
    try:
        days = sorted(
            {int(part) for part in value.replace(";", ",").split(",") if part.strip()}, reverse=True
        )
    except ValueError:
        raise ValidationError(
            _("Write whole numbers of days separated by commas, e.g. 30, 14, 7, 3, 1.")
        ) from None
    if not days or days[-1] < 1 or days[0] > 60:
        raise ValidationError(_("Each number of days must be between 1 and 60."))
    return days


def validate_days(value: str) -> None:
    parse_days(value)


def default_days() -> str:
    return ", ".join(str(day) for day in getattr(settings, "REMINDER_THRESHOLDS_DAYS", [30, 14, 7, 3, 1]))


class ReminderPolicy(models.Model):
    """When holders are reminded. One row, edited by operator admins; defaults come from settings."""

    days_before = models.CharField(
        _("days before expiry"),
        max_length=100,
        default=default_days,
        validators=[validate_days],
        help_text=_("A reminder goes out when this many days are left, e.g. 30, 14, 7, 3, 1."),
    )
    last_day = models.BooleanField(_("on the last day to send the request"), default=True)
    expiry_day = models.BooleanField(_("on the expiry day"), default=True)
    new_eds_active = models.BooleanField(_("when the new EDS becomes active"), default=True)
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policy")

    def __str__(self) -> str:
        return str(_("Reminder policy"))

    @property
    def days(self) -> list[int]:
        return parse_days(self.days_before)


class ReminderKind(models.TextChoices):
    """A reminder's kind is also the kind of the notification it sends (``uzart.outbox.kinds``)."""

    EXPIRY = "reminder.expiry", _("Days before expiry")
    LAST_DAY = "reminder.last_day", _("Last day to send the request")
    EXPIRY_DAY = "reminder.expiry_day", _("Expiry day")
    NEW_EDS_ACTIVE = "certificate.active", _("New EDS active")


class ReminderSent(models.Model):
    """One threshold of one certificate, handled once: sent, or superseded by a later one after a gap."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        SUPERSEDED = "superseded", _("Skipped: a later reminder went out instead")

    certificate = models.ForeignKey(
        "pki.Certificate", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("certificate")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ReminderKind.choices)
    threshold = models.PositiveSmallIntegerField(
        _("days before expiry"), help_text=_("0 for the last day, the expiry day and the new EDS.")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    notification = models.ForeignKey(
        "outbox.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind", "threshold"], name="reminders_once_per_certificate_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.threshold} {self.outcome}"
