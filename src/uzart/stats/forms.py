"""The period filter of the statistics, for operator staff."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MONTH_FORMAT = "%Y-%m"


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (``<input type="month">``), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)
    input_formats = [MONTH_FORMAT]
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-03.")}


class StatsPeriodForm(forms.Form):
    first_month = MonthField(label=_("From month"), required=False)
    last_month = MonthField(label=_("To month"), required=False)
