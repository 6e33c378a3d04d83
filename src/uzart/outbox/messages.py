"""What a notification looks like on each channel: e-mail (text and HTML) and SMS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from uzart.accounts.selectors import operator_profile_get
from uzart.outbox.kinds import REMINDER_KINDS
from uzart.outbox.models import Notification

SMS_MAX_CHARS = 300


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def absolute_url(link: str) -> str:
    """The public address of a path inside Uzart."""
    if not link or link.startswith(("http://", "https://")):
        return link
    return f"{settings.PUBLIC_BASE_URL}{link if link.startswith('/') else '/' + link}"


def _context(notification: Notification) -> dict[str, Any]:
    title, text = notification.render()
    params = notification.params
    return {
        "notification": notification,
        "user": notification.user,
        "title": title,
        "text": text,
        "is_reminder": notification.kind in REMINDER_KINDS,
        "days_left": params.get("days"),
        "last_day": params.get("last_day", ""),
        "expires": params.get("expires", ""),
        "rows": params.get("requests") or [],
        "url": absolute_url(notification.link),
        "operator": operator_profile_get(),
    }


def email_content(notification: Notification) -> EmailContent:
    """Subject, plain text and HTML of the notification's e-mail, in its recipient's language."""
    with translation.override(notification.language):
        context = _context(notification)
        text = render_to_string("outbox/email.txt", context)
        html = render_to_string("outbox/email.html", context)
        subject = " ".join(context["title"].split())
    return EmailContent(subject=subject, text=text, html=html)


def sms_text(notification: Notification) -> str:
    """The SMS: the title and the link, in the recipient's language."""
    with translation.override(notification.language):
        title, _text = notification.render()
        url = absolute_url(notification.link)
    message = f"Uzart: {title}." + (f" {url}" if url else "")
    return message[:SMS_MAX_CHARS]
