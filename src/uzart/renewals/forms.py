"""Forms of the renewal pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from uzart.renewals.models import PaymentMethod, Status


class PinField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("EDS PIN"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("strip", False)
        kwargs.setdefault(
            "widget",
            forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric", "class": "pin"}),
        )
        super().__init__(**kwargs)


class SignForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=16)
    details_unchanged = forms.BooleanField(
        label=_("I confirm that my details shown above have not changed."),
        required=True,
        error_messages={"required": _("Please confirm that your details have not changed.")},
    )
    pin = PinField()


class DocumentsForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=16)
    changed_details = forms.CharField(
        label=_("Which details changed?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example: the company name, the head of the company, your position."),
    )
    pin = PinField()


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the holder"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open"))]
        + [(s.value, s.label) for s in (Status.SUBMITTED, Status.DOCUMENTS_SUBMITTED, Status.IN_REVIEW)],
    )
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
    q = forms.CharField(label=_("INN, company, holder or number"), required=False, max_length=100)


class OfficeRenewalForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=16)
    holder_email = forms.EmailField(label=_("Holder's e-mail"))
    company_inn = forms.CharField(label=_("Company INN"), max_length=14, min_length=14)
    paper_reference = forms.CharField(label=_("Paper application number"), max_length=64)
    payment = forms.ChoiceField(
        label=_("Payment"),
        choices=[
            (PaymentMethod.BALANCE.value, PaymentMethod.BALANCE.label),
            (PaymentMethod.CASH.value, PaymentMethod.CASH.label),
        ],
        widget=forms.RadioSelect,
    )
    cash_document = forms.CharField(label=_("Cash receipt number"), max_length=64, required=False)
    new_pin = PinField(label=_("New EDS PIN (typed by the holder)"), min_length=6)
