"""Billing errors a user (or a caller) can cause; each has a translated message and a 4xx status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uzart.billing.money import money_format
from uzart.errors import UzartError


class InsufficientFunds(UzartError):
    """The balance does not cover a debit; carries the shortfall and the balance in tyiyn."""

    default_message = _(
        "Not enough money on the company balance: the balance is %(balance)s, "
        "%(shortfall)s more is needed. Please top up the balance first."
    )
    status_code = 402
    code = "insufficient_funds"

    def __init__(self, *, shortfall: int, balance: int) -> None:
        self.shortfall = shortfall
        self.balance = balance
        super().__init__()

    def __str__(self) -> str:
        # Formatted when shown, so the amounts follow the language active at that moment.
        return str(self.message) % {
            "balance": money_format(self.balance),
            "shortfall": money_format(self.shortfall),
        }


class IdempotencyConflict(UzartError):
    """The idempotency key was already used for a different operation."""

    default_message = _(
        "This operation was already recorded with different details (same reference, different "
        "amount or purpose). Nothing was changed."
    )
    status_code = 409
    code = "idempotency_conflict"


class RefundNotAllowed(UzartError):
    default_message = _("This refund is not possible.")
    status_code = 409
    code = "refund_not_allowed"


class TariffNotFound(UzartError):
    default_message = _("No tariff is set for this service yet. Please contact the operator.")
    status_code = 409
    code = "tariff_not_found"


class DemoOnly(UzartError):
    default_message = _("Simulated payments exist only in the demo.")
    status_code = 404
    code = "demo_only"
