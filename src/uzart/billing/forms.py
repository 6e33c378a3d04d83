"""Forms of the billing pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from uzart.billing.models import LedgerEntry
from uzart.billing.money import money_parse


class SomAmountField(forms.CharField):
    """An amount typed in som ("1 510,00"), cleaned to tyiyn."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "decimal"
        return attrs

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        try:
            amount = money_parse(text)
        except ValueError:
            raise forms.ValidationError(
                _("Enter an amount in som, for example 1510 or 1 510,50."), code="amount_invalid"
            ) from None
        if amount == 0 or (amount < 0 and not self.allow_negative):
            raise forms.ValidationError(
                _("The amount must be greater than zero."), code="amount_not_positive"
            )
        return amount


def new_form_key() -> str:
    """A one-time reference put into a form, so that submitting it twice records one entry."""
    return uuid.uuid4().hex


class StatementFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned


class PaymentForm(forms.Form):
    """A specialist records a bank transfer or cash payment received from a company."""

    method = forms.ChoiceField(
        label=_("Payment method"),
        choices=[
            (LedgerEntry.Method.BANK_TRANSFER, LedgerEntry.Method.BANK_TRANSFER.label),
            (LedgerEntry.Method.CASH, LedgerEntry.Method.CASH.label),
        ],
    )
    amount = SomAmountField(label=_("Amount, som"))
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=100,
        help_text=_("Payment order or cash receipt number. The same document cannot be credited twice."),
    )


class AdjustmentForm(forms.Form):
    """Operator staff correct a balance, up or down, with a reason."""

    amount = SomAmountField(
        label=_("Amount, som"),
        allow_negative=True,
        help_text=_("Positive to add to the balance, negative (with a minus) to take from it."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class SimulatedPaymentForm(forms.Form):
    """Demo only: pretend a payment arrived from the provider."""

    amount = SomAmountField(label=_("Amount, som"), initial="2 000,00")
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
