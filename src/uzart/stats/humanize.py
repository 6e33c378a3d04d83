"""Durations in words, in the reader's language."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def duration_humanize(value: dt.timedelta) -> str:
    """``2 days 5 hours``, ``3 hours 20 minutes`` or ``15 minutes``: the two largest units, rounded."""
    minutes_total = max(0, round(value.total_seconds() / 60))
    if minutes_total >= 24 * 60:
        hours_total = round(minutes_total / 60)
        days, hours = divmod(hours_total, 24)
        parts = [ngettext("%(count)d day", "%(count)d days", days) % {"count": days}]
        if hours:
            parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
        return " ".join(parts)
    hours, minutes = divmod(minutes_total, 60)
    if hours:
        parts = [ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}]
        if minutes:
            parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
        return " ".join(parts)
    if minutes:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return _("less than a minute")
