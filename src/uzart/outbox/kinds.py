"""The kinds of notification Uzart sends, each with its translatable title and text.

Texts take their values from the notification's ``params`` (never secrets). A title or text made with
``ngettext_lazy(..., "days")`` picks its plural form from ``params["days"]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


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
        _(
            "The operator rejected request %(number)s: %(reason)s. The payment was returned to the company balance."
        ),
    ),
    "renewal.issued": Kind(
        _("Your new EDS is ready"),
        _("Your new EDS is issued. It takes over on %(starts)s, when the current one expires."),
    ),
    "certificate.active": Kind(
        _("Your new EDS is active"),
        _("Your new EDS is in force from %(starts)s until %(ends)s."),
    ),
    # Reminders before expiry (uzart.reminders), worded by the day they go out: before, on or after the
    # last day to send, or on the expiry day. params: days, expires, last_day, time.
    "reminder.expiry": Kind(
        ngettext_lazy("Your EDS expires in %(days)s day", "Your EDS expires in %(days)s days", "days"),
        _(
            "Your EDS expires on %(expires)s. Send the renewal request by %(last_day)s so that the operator "
            "can issue the new EDS in time; it is signed with your current EDS and paid from the company balance."
        ),
    ),
    "reminder.last_day": Kind(
        _("Today is the last day to send your EDS renewal request"),
        ngettext_lazy(
            "Your EDS expires on %(expires)s, in %(days)s day. Send the renewal request today so that the "
            "operator can issue the new EDS in time.",
            "Your EDS expires on %(expires)s, in %(days)s days. Send the renewal request today so that the "
            "operator can issue the new EDS in time.",
            "days",
        ),
    ),
    "reminder.late": Kind(
        ngettext_lazy("Your EDS expires in %(days)s day", "Your EDS expires in %(days)s days", "days"),
        _(
            "The last day to send the renewal request was %(last_day)s. Send it now: it will be marked urgent, "
            "but the operator may not be able to issue the new EDS before your current one expires on %(expires)s."
        ),
    ),
    "reminder.expiry_day": Kind(
        _("Your EDS expires today"),
        _(
            "Your EDS stops working on %(expires)s at %(time)s. After that you can no longer log in or sign "
            "reports; an expired EDS can be renewed only at the operator's office."
        ),
    ),
    # The daily summary for the operator. params: date, count, requests (a list of rows).
    "operator.summary": Kind(
        ngettext_lazy(
            "%(count)s renewal request past the last day to send is still unprocessed",
            "%(count)s renewal requests past the last day to send are still unprocessed",
            "count",
        ),
        _("Requests whose last day to send has passed and that are still open on %(date)s."),
    ),
}

# The kinds that remind a holder to renew: their e-mail shows the days left and the last day to send.
REMINDER_KINDS = frozenset({"reminder.expiry", "reminder.last_day", "reminder.late", "reminder.expiry_day"})


def render(kind: str, params: dict[str, Any]) -> tuple[str, str]:
    """Return the title and text of a notification in the active language."""
    spec = KINDS[kind]
    return str(spec.title % params), str(spec.text % params)
