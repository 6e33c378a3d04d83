"""DESIGN rule 4, written once: the validity of a renewed certificate."""

from __future__ import annotations

import datetime as dt

from uzart.clock import BISHKEK


def add_years(instant: dt.datetime, years: int) -> dt.datetime:
    """Same calendar date and time of day ``years`` later in Asia/Bishkek; 29 Feb becomes 28 Feb."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    local = instant.astimezone(BISHKEK)
    target_year = local.year + years
    day = local.day
    if local.month == 2 and day == 29:
        try:
            dt.date(target_year, 2, 29)
        except ValueError:
            day = 28
    return local.replace(year=target_year, day=day).astimezone(dt.UTC)


def renewal_validity(*, old_not_after: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Return (not_before, not_after) of the successor: from the old not_after, one calendar year on.

    The calendar is Asia/Bishkek's, where the holder lives: no gap and no overlap with the old
    certificate, the same time of day, and 29 February maps to 28 February of a common year.
    """
    if old_not_after.tzinfo is None:
        raise ValueError("old_not_after must be timezone-aware")
    not_before = old_not_after.astimezone(dt.UTC)
    return not_before, add_years(not_before, 1)
