"""The one clock of domain code; tests move it with time-machine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")


def now() -> dt.datetime:
    """Return the current instant, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def today_bishkek() -> dt.date:
    """Return today's calendar date in Asia/Bishkek."""
    return now().astimezone(BISHKEK).date()


def to_bishkek(instant: dt.datetime) -> dt.datetime:
    """Return ``instant`` shown in Asia/Bishkek."""
    return instant.astimezone(BISHKEK)
