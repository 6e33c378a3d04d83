"""Tariffs, company accounts with a cached balance, and the append-only ledger.

Amounts are integers in tyiyn (1/100 som). A balance is the sum of its ledger entries; the cached
``CompanyAccount.balance`` changes only under a row lock in the same transaction as the entry.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uzart.accounts.models import Company, Membership
from uzart.billing.querysets import LedgerEntryQuerySet, TariffQuerySet


class Tariff(models.Model):
    """The price of a service, for one holder role or for any role, from a Bishkek date on."""

    class Service(models.TextChoices):
        REMOTE_RENEWAL = "remote_renewal", _("Remote EDS renewal for 1 year")
        OFFICE_RENEWAL = "office_renewal", _("EDS renewal at the office")

    service = models.CharField(_("service"), max_length=32, choices=Service.choices)
    role = models.CharField(
        _("holder role"),
        max_length=16,
        choices=Membership.Role.choices,
        blank=True,
        default="",
        help_text=_("Leave empty for a price that applies to any role."),
    )
    price = models.BigIntegerField(_("price, tyiyn"))
    effective_from = models.DateField(_("effective from"), help_text=_("A date in Asia/Bishkek."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = TariffQuerySet.as_manager()

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["service", "role", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="tariff_price_positive"),
            models.UniqueConstraint(
                fields=["service", "role", "effective_from"], name="tariff_unique_service_role_date"
            ),
        ]
        indexes = [models.Index(fields=["service", "effective_from"])]

    def __str__(self) -> str:
        role = self.get_role_display() if self.role else _("any role")
        return f"{self.get_service_display()} / {role} / {self.effective_from:%Y-%m-%d}"


class CompanyAccount(models.Model):
    """A company's prepaid balance; created on the first ledger entry."""

    company = models.OneToOneField(
        Company, on_delete=models.PROTECT, related_name="billing_account", verbose_name=_("company")
    )
    balance = models.BigIntegerField(_("balance, tyiyn"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("company account")
        verbose_name_plural = _("company accounts")
        ordering = ["company__legal_name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="company_account_balance_gte_0"),
        ]

    def __str__(self) -> str:
        return str(self.company)


class LedgerEntry(models.Model):
    """One movement of money; never changed or deleted (corrections are new entries)."""

    class Kind(models.TextChoices):
        TOPUP = "topup", _("Top-up")
        DEBIT = "debit", _("Debit")
        REFUND = "refund", _("Refund")
        ADJUSTMENT = "adjustment", _("Adjustment")

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        PROVIDER = "provider", _("Online payment")
        DEMO = "demo", _("Simulated payment (demo)")

    account = models.ForeignKey(
        CompanyAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount, tyiyn"))
    balance_after = models.BigIntegerField(_("balance after, tyiyn"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    fingerprint = models.CharField(max_length=64, editable=False)
    method = models.CharField(_("payment method"), max_length=16, choices=Method.choices, blank=True)
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    refund_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("refund of"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("time"), db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="ledger_entry_balance_gte_0"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="topup", amount__gt=0)
                    | models.Q(kind="refund", amount__gt=0)
                    | models.Q(kind="debit", amount__lt=0)
                    | models.Q(kind="adjustment")
                ),
                name="ledger_entry_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(refund_of__isnull=True) | models.Q(kind="refund"),
                name="ledger_entry_refund_of_only_on_refunds",
            ),
            models.UniqueConstraint(
                fields=["refund_of"],
                condition=models.Q(refund_of__isnull=False),
                name="ledger_entry_one_refund_per_debit",
            ),
        ]
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Ledger entries are append-only; record a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are append-only; record a correcting entry instead.")
