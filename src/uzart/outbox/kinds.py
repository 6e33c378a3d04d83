"""The kinds of notification Uzart sends, each with its translatable title and text.

Texts take their values from the notification's ``params`` (never secrets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    title: Any
    text: Any


KINDS: dict[str, Kind] = {
    "renewal.submitted": Kind(
        _("Renewal request %(number)s received"),
        _("Your request %(number)s to renew the EDS is in the queue. Its place in the queue: %(position)s."),
    ),
    "renewal.documents_submitted": Kind(
        _("Request %(number)s with changed details received"),
        _("The operator will check your documents for request %(number)s and contact you."),
    ),
    "renewal.cancelled": Kind(
        _("Request %(number)s cancelled"),
        _("Your request %(number)s was cancelled. The payment, if any, was returned to the company balance."),
    ),
    "renewal.rejected": Kind(
        _("Request %(number)s rejected"),
        _("The operator rejected request %(number)s: %(reason)s. The payment was returned to the company balance."),
    ),
    "renewal.issued": Kind(
        _("Your new EDS is ready"),
        _("Your new EDS is issued. It takes over on %(starts)s, when the current one expires."),
    ),
    "certificate.active": Kind(
        _("Your new EDS is active"),
        _("Your new EDS is in force from %(starts)s until %(ends)s."),
    ),
    "reminder.expiry": Kind(
        _("Your EDS expires in %(days)s days"),
        _("Your EDS expires on %(expires)s. Send the renewal request by %(last_day)s."),
    ),
}


def render(kind: str, params: dict[str, Any]) -> tuple[str, str]:
    """Return the title and text of a notification in the active language."""
    spec = KINDS[kind]
    return str(spec.title) % params, str(spec.text) % params
