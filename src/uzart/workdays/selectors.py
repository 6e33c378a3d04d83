"""Reads of the Kyrgyz working-day calendar: the holidays package plus the operator's overrides.

A day is a working day when the ``holidays`` package says so (weekends and public holidays are days
off, its transferred working Saturdays are working days) unless a ``WorkdayOverride`` row says otherwise.
Each public function loads the overrides of the range it needs with one query.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays
from django.conf import settings

from uzart import clock
from uzart.workdays.models import WorkdayOverride

COUNTRY = "KG"
_ONE_DAY = dt.timedelta(days=1)
# The longest run of days off in the Kyrgyz calendar is about ten days (early May, New Year);
# a shift of n working days almost always fits in 2n + 21 calendar days, else another window is read.
_WINDOW_SLACK_DAYS = 21


@functools.lru_cache(maxsize=64)
def _library_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[int]]:
    """Holidays, transferred working weekend days and weekend weekdays of one year, per the package."""
    calendar = holidays.country_holidays(COUNTRY, years=year)
    weekend_workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return frozenset(calendar.keys()), weekend_workdays, frozenset(calendar.weekend)


def _library_is_working(day: dt.date) -> bool:
    holidays_of_year, weekend_workdays, weekend = _library_year(day.year)
    if day.weekday() in weekend:
        return day in weekend_workdays
    return day not in holidays_of_year


class _Calendar:
    """The overrides of a date range, read with one query and extended only when a walk leaves it."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self._overrides: dict[dt.date, bool] = {}
        self._start = start
        self._end = start - _ONE_DAY
        self._load(start, end)

    def _load(self, start: dt.date, end: dt.date) -> None:
        if end < start:
            return
        rows = WorkdayOverride.objects.between(start, end).values_list("date", "kind")
        for day, kind in rows:
            self._overrides[day] = kind == WorkdayOverride.Kind.WORKING_DAY
        self._start = min(self._start, start)
        self._end = max(self._end, end)

    def is_working(self, day: dt.date) -> bool:
        if day < self._start:
            self._load(day - dt.timedelta(days=_WINDOW_SLACK_DAYS), self._start - _ONE_DAY)
        elif day > self._end:
            self._load(self._end + _ONE_DAY, day + dt.timedelta(days=_WINDOW_SLACK_DAYS))
        override = self._overrides.get(day)
        return _library_is_working(day) if override is None else override


def is_working_day(*, day: dt.date) -> bool:
    """Whether ``day`` is a working day in Kyrgyzstan, after the operator's overrides."""
    return _Calendar(day, day).is_working(day)


def working_day_shift(*, day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (n > 0) or before it (n < 0); ``day`` itself is not counted."""
    if n == 0:
        return day
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    span = dt.timedelta(days=2 * abs(n) + _WINDOW_SLACK_DAYS)
    calendar = _Calendar(day + step, day + span) if n > 0 else _Calendar(day - span, day - step)
    remaining = abs(n)
    current = day
    while remaining:
        current += step
        if calendar.is_working(current):
            remaining -= 1
    return current


def working_days_between(*, start: dt.date, end: dt.date) -> int:
    """How many working days fall in [start, end): ``start`` counted, ``end`` not; 0 if end <= start."""
    if end <= start:
        return 0
    calendar = _Calendar(start, end - _ONE_DAY)
    count = 0
    day = start
    while day < end:
        count += calendar.is_working(day)
        day += _ONE_DAY
    return count


def last_day_to_send(*, expiry: dt.date) -> dt.date:
    """The last day a renewal request should be sent: the Nth working day before the expiry date."""
    return working_day_shift(day=expiry, n=-deadline_working_days())


def deadline_working_days() -> int:
    """How many working days before expiry a renewal request must be sent (a setting, 3 by default)."""
    return int(getattr(settings, "RENEWAL_DEADLINE_WORKING_DAYS", 3))


def deadline_passed(*, expiry: dt.date, today: dt.date | None = None) -> bool:
    """Whether ``today`` (Bishkek, by default now) is after the last day to send for ``expiry``."""
    today = today if today is not None else clock.today_bishkek()
    return today > last_day_to_send(expiry=expiry)


def workday_overrides_between(*, start: dt.date, end: dt.date) -> list[WorkdayOverride]:
    """The operator's overrides dated from ``start`` to ``end``, in date order."""
    return list(WorkdayOverride.objects.between(start, end).order_by("date"))
