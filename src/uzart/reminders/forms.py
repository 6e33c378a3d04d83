from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ReminderPreferenceForm(forms.Form):
    """The holder's channels besides in-app notifications, which are always on."""

    email = forms.BooleanField(label=_("By e-mail"), required=False)
    sms = forms.BooleanField(label=_("By SMS"), required=False)

    def __init__(self, *args: Any, sms_possible: bool, sms_reason: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not sms_possible:
            self.fields["sms"].disabled = True
            self.fields["sms"].help_text = sms_reason
