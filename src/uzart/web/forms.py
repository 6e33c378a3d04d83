"""Forms of the web interface."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from uzart.accounts.models import Company
from uzart.accounts.validators import validate_inn


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        "invalid_login": _("The e-mail or password is wrong. Please try again."),
        "inactive": _("This account is disabled. Please contact the operator."),
    }


class CompanyForm(forms.Form):
    inn = forms.CharField(label=_("INN"), max_length=32, strip=False, validators=[validate_inn])
    legal_name = forms.CharField(label=_("Legal name"), max_length=255)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=Company.LegalForm.choices)


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("EDS PIN"),
        max_length=32,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}),
    )


class PinChangeForm(forms.Form):
    old_pin = forms.CharField(
        label=_("Current PIN"),
        max_length=32,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    new_pin = forms.CharField(
        label=_("New PIN"),
        max_length=32,
        strip=False,
        help_text=_("6 to 12 digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    new_pin_again = forms.CharField(
        label=_("New PIN again"),
        max_length=32,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_pin") and data.get("new_pin") != data.get("new_pin_again"):
            self.add_error("new_pin_again", _("The two new PINs differ."))
        return data
