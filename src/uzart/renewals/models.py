"""Renewal requests: one per certificate at a time, moved only by the transitions in ``transitions.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("In the queue")
    DOCUMENTS_SUBMITTED = "documents_submitted", _("Documents sent, awaiting the operator")
    IN_REVIEW = "in_review", _("Being processed by a specialist")
    ISSUED = "issued", _("New EDS issued")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATUSES = frozenset({Status.ISSUED, Status.REJECTED, Status.CANCELLED})
OPEN_STATUSES = frozenset(set(Status) - FINAL_STATUSES)


class Channel(models.TextChoices):
    REMOTE = "remote", _("Remote, signed with the EDS")
    DOCUMENTS = "documents", _("Details changed, documents sent")
    OFFICE = "office", _("At the operator's office")


class PaymentMethod(models.TextChoices):
    NONE = "", _("Not paid yet")
    BALANCE = "balance", _("From the company balance")
    CASH = "cash", _("Cash at the office")


class RenewalRequestQuerySet(models.QuerySet["RenewalRequest"]):
    def open(self) -> RenewalRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def queue_order(self) -> RenewalRequestQuerySet:
        """Urgent first, then by the expiry of the certificate being renewed, then by arrival."""
        return self.order_by("-urgent", "old_not_after", "submitted_at", "id")


class RenewalRequest(models.Model):
    """A holder's request to re-issue their EDS for one more year."""

    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    certificate = models.ForeignKey(
        "pki.Certificate",
        on_delete=models.PROTECT,
        related_name="renewal_requests",
        verbose_name=_("certificate"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="renewal_requests",
        verbose_name=_("holder"),
    )
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        related_name="renewal_requests",
        verbose_name=_("company"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    urgent = models.BooleanField(_("urgent"), default=False)

    # The details the holder confirmed, as they were when the request was made.
    full_name = models.CharField(_("full name"), max_length=300)
    position = models.CharField(_("position"), max_length=150, blank=True)
    company_name = models.CharField(_("company name"), max_length=255)
    company_inn = models.CharField(_("company INN"), max_length=14)
    changed_details = models.TextField(_("details that changed"), blank=True)

    old_not_after = models.DateTimeField(_("current EDS expires"), db_index=True)
    last_day_to_send = models.DateField(_("last day to send"))
    new_not_before = models.DateTimeField(_("new EDS valid from"))
    new_not_after = models.DateTimeField(_("new EDS valid until"))

    price = models.BigIntegerField(_("price, tyiyn"), default=0)
    payment_method = models.CharField(
        _("payment"), max_length=16, choices=PaymentMethod.choices, blank=True, default=PaymentMethod.NONE
    )
    debit = models.OneToOneField(
        "billing.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal_request"
    )

    new_key = models.ForeignKey(
        "keystore.CloudKey", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal_requests"
    )
    csr_der = models.BinaryField(_("certificate signing request"), null=True, blank=True)
    csr_fingerprint = models.CharField(_("public key fingerprint (SHA-256)"), max_length=64, blank=True)
    signed_pdf = models.BinaryField(_("signed request"), null=True, blank=True)
    paper_reference = models.CharField(_("paper application number"), max_length=64, blank=True)

    submitted_at = models.DateTimeField(_("sent"), db_index=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(_("taken"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reject_reason = models.TextField(_("reason"), blank=True)
    issued_certificate = models.OneToOneField(
        "pki.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="issued_by_request"
    )

    objects = RenewalRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("renewal request")
        verbose_name_plural = _("renewal requests")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=models.Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="renewal_one_open_request_per_certificate",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="renewal_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "urgent", "old_not_after"]),
            models.Index(fields=["status", "decided_at"]),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RenewalEvent(models.Model):
    """One step of a request's timeline, shown to the holder and the operator."""

    request = models.ForeignKey(RenewalRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.status}"


class RenewalAttachment(models.Model):
    """A scan the holder attached to a request with changed details."""

    request = models.ForeignKey(RenewalRequest, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
