"""When each reminder of a certificate is due, as pure date arithmetic (Asia/Bishkek calendar days).

A threshold is *crossed* at 00:00 Bishkek time of its day: the N-day reminder on ``expiry - N``, the
last-day reminder on the last day to send, the expiry-day reminder on the expiry date. After a gap only
the latest crossed threshold goes out; on the same day the last-day reminder outranks an N-day one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from uzart import clock
from uzart.reminders.models import ReminderKind, ReminderPolicy

_RANK = {ReminderKind.EXPIRY: 0, ReminderKind.LAST_DAY: 1, ReminderKind.EXPIRY_DAY: 2}


@dataclass(frozen=True)
class Mark:
    """One reminder threshold of one certificate."""

    kind: str
    threshold: int
    day: dt.date

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.threshold)

    @property
    def order(self) -> tuple[dt.date, int]:
        return (self.day, _RANK[ReminderKind(self.kind)])


def day_start(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in Asia/Bishkek, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BISHKEK)


def marks_for(*, expires_on: dt.date, last_day: dt.date, policy: ReminderPolicy) -> list[Mark]:
    """Every threshold of a certificate expiring on ``expires_on`` under ``policy``."""
    marks = [Mark(ReminderKind.EXPIRY, days, expires_on - dt.timedelta(days=days)) for days in policy.days]
    if policy.last_day:
        marks.append(Mark(ReminderKind.LAST_DAY, 0, last_day))
    if policy.expiry_day:
        marks.append(Mark(ReminderKind.EXPIRY_DAY, 0, expires_on))
    return marks


@dataclass(frozen=True)
class Decision:
    """What one sweep does for one certificate: send at most one reminder, record the skipped ones."""

    send: Mark | None
    superseded: list[Mark]


def decide(*, marks: list[Mark], done: set[tuple[str, int]], today: dt.date) -> Decision:
    """Send the latest crossed threshold unless it was handled; every other unhandled crossed one is superseded."""
    crossed = [mark for mark in marks if mark.day <= today]
    if not crossed:
        return Decision(None, [])
    latest = max(crossed, key=lambda mark: mark.order)
    send = latest if latest.key not in done else None
    superseded = [mark for mark in crossed if mark.key not in done and mark is not send]
    return Decision(send, superseded)
