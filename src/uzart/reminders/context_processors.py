"""``unread_notifications`` for every page: counted only if the template shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from uzart.outbox.selectors import notification_unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable: the template engine calls it on first use, so pages that do not show it pay nothing.
    return {"unread_notifications": lambda: notification_unread_count(user=user)}
