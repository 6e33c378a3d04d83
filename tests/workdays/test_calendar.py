"""The Kyrgyz working-day calendar: the holidays package plus the operator's overrides, as tables."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uzart.audit.models import AuditEvent
from uzart.errors import ValidationFailed
from uzart.workdays.models import WorkdayOverride
from uzart.workdays.selectors import (
    deadline_passed,
    is_working_day,
    last_day_to_send,
    working_day_shift,
    working_days_between,
)
from uzart.workdays.services import workday_override_delete, workday_override_set

pytestmark = pytest.mark.django_db

D = dt.date
DAY_OFF = WorkdayOverride.Kind.DAY_OFF
WORKING = WorkdayOverride.Kind.WORKING_DAY


def _override(day: dt.date, kind: str, note: str = "") -> None:
    WorkdayOverride.objects.create(date=day, kind=kind, note=note)


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (D(2026, 1, 1), False, "New Year's Day"),
        (D(2026, 1, 5), False, "New Year holidays (a Monday)"),
        (D(2026, 1, 7), False, "Orthodox Christmas"),
        (D(2026, 1, 8), True, "first working day of 2026"),
        (D(2026, 2, 23), True, "no longer a holiday under the 2025 Labour Code"),
        (D(2026, 3, 20), False, "Orozo Ait (Eid al-Fitr)"),
        (D(2026, 3, 21), False, "Nooruz, a Saturday: not moved to Monday since 2025"),
        (D(2026, 3, 23), True, "the Monday after Nooruz is an ordinary working day"),
        (D(2026, 5, 27), False, "Kurman Ait (Eid al-Adha)"),
        (D(2026, 5, 28), True, "the day after Kurman Ait"),
        (D(2026, 8, 31), False, "Independence Day"),
        (D(2026, 11, 7), False, "a Saturday (Nov 7 is no longer a holiday; it is a weekend day anyway)"),
        (D(2025, 1, 11), True, "a Saturday the package knows was a transferred working day"),
        (D(2025, 1, 2), False, "the day off that Saturday was moved to"),
    ],
)
def test_holidays_package_decides_when_no_override(day, working, why):
    assert is_working_day(day=day) is working, why


@pytest.mark.parametrize(
    ("expiry", "overrides", "expected"),
    [
        # Orozo Ait on Friday 03-20, weekend 21/22 (Nooruz on Saturday 21): 19, 18, 17.
        (D(2026, 3, 23), [], D(2026, 3, 17)),
        # The operator declares Tuesday 03-17 a day off: the third working day back is Monday 03-16.
        (D(2026, 3, 23), [(D(2026, 3, 17), DAY_OFF)], D(2026, 3, 16)),
        # Saturday 03-21 made a working day (a transfer): 21, 19, 18.
        (D(2026, 3, 23), [(D(2026, 3, 21), WORKING)], D(2026, 3, 18)),
        # Both at once.
        (D(2026, 3, 23), [(D(2026, 3, 21), WORKING), (D(2026, 3, 19), DAY_OFF)], D(2026, 3, 17)),
        # An override outside the range looked at changes nothing.
        (D(2026, 3, 23), [(D(2026, 3, 10), DAY_OFF)], D(2026, 3, 17)),
        # Kurman Ait on Wednesday 05-27: 26, 25, 22.
        (D(2026, 5, 28), [], D(2026, 5, 22)),
        # After the May holidays (05-01..05-10 all off): 04-30, 04-29, 04-28.
        (D(2026, 5, 11), [], D(2026, 4, 28)),
        # After New Year and Christmas (01-01..01-07 off): back into December 2025.
        (D(2026, 1, 8), [], D(2025, 12, 29)),
        # Nooruz weekend, Orozo Ait Friday: 24, 23, 19.
        (D(2026, 3, 25), [], D(2026, 3, 19)),
        # Expiry on a day off counts the same way back.
        (D(2026, 3, 22), [], D(2026, 3, 17)),
        # An ordinary week.
        (D(2026, 6, 12), [], D(2026, 6, 9)),
    ],
)
def test_last_day_to_send_is_the_third_working_day_before_expiry(expiry, overrides, expected):
    for day, kind in overrides:
        _override(day, kind)
    assert last_day_to_send(expiry=expiry) == expected


def test_last_day_to_send_follows_the_setting(settings):  # type: ignore[no-redefined]
    settings.RENEWAL_DEADLINE_WORKING_DAYS = 1
    assert last_day_to_send(expiry=D(2026, 3, 23)) == D(2026, 3, 19)


def test_operator_override_beats_the_package_both_ways():
    _override(D(2026, 3, 21), WORKING)  # Nooruz Saturday declared a working day
    _override(D(2026, 3, 18), DAY_OFF)  # an ordinary Wednesday declared a day off
    _override(D(2025, 1, 11), DAY_OFF)  # the package's transferred Saturday cancelled
    assert is_working_day(day=D(2026, 3, 21)) is True
    assert is_working_day(day=D(2026, 3, 18)) is False
    assert is_working_day(day=D(2025, 1, 11)) is False


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2026, 3, 19), 1, D(2026, 3, 23)),
        (D(2026, 3, 23), -1, D(2026, 3, 19)),
        (D(2026, 4, 30), 1, D(2026, 5, 11)),
        (D(2026, 12, 31), 1, D(2027, 1, 8)),  # 01-01..01-07 off
        (D(2026, 3, 17), 0, D(2026, 3, 17)),
        (D(2026, 3, 21), 0, D(2026, 3, 21)),
        (D(2026, 6, 1), 10, D(2026, 6, 15)),
    ],
)
def test_working_day_shift_counts_working_days_only(day, n, expected):
    assert working_day_shift(day=day, n=n) == expected


def test_working_day_shift_reads_past_its_first_window_when_many_days_are_off():
    for offset in range(60):  # two months of decreed days off
        _override(D(2026, 7, 1) + dt.timedelta(days=offset), DAY_OFF)
    assert working_day_shift(day=D(2026, 6, 30), n=1) == D(2026, 8, 31) + dt.timedelta(days=1)
    assert working_day_shift(day=D(2026, 9, 1), n=-1) == D(2026, 6, 30)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 3, 17), D(2026, 3, 23), 3),  # 17, 18, 19
        (D(2026, 3, 23), D(2026, 3, 17), 0),
        (D(2026, 3, 23), D(2026, 3, 23), 0),
        (D(2026, 5, 1), D(2026, 5, 11), 0),  # the May holidays
        (D(2026, 1, 1), D(2027, 1, 1), 365 - 104 - 14),  # 104 weekend days; 14 holidays on weekdays
    ],
)
def test_working_days_between_counts_start_but_not_end(start, end, expected):
    assert working_days_between(start=start, end=end) == expected


def test_working_days_between_sees_overrides():
    _override(D(2026, 3, 18), DAY_OFF)
    _override(D(2026, 3, 21), WORKING)
    assert working_days_between(start=D(2026, 3, 17), end=D(2026, 3, 23)) == 3  # 17, 19, 21


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_shift_and_count_agree(day, n):
    back = working_day_shift(day=day, n=-n)
    forward = working_day_shift(day=day, n=n)
    assert is_working_day(day=back) and is_working_day(day=forward)
    assert working_days_between(start=back, end=day) == n
    assert working_days_between(start=day + dt.timedelta(days=1), end=forward + dt.timedelta(days=1)) == n


def test_each_question_reads_the_overrides_with_one_query(django_assert_num_queries):
    _override(D(2026, 3, 17), DAY_OFF)
    with django_assert_num_queries(1):
        assert last_day_to_send(expiry=D(2026, 3, 23)) == D(2026, 3, 16)
    with django_assert_num_queries(1):
        assert working_days_between(start=D(2026, 1, 1), end=D(2027, 1, 1)) == 365 - 104 - 14 - 1
    with django_assert_num_queries(1):
        assert is_working_day(day=D(2026, 3, 17)) is False
    with django_assert_num_queries(1):
        working_day_shift(day=D(2026, 1, 1), n=200)


@pytest.mark.parametrize(
    ("today", "passed"),
    [(D(2026, 3, 16), False), (D(2026, 3, 17), False), (D(2026, 3, 18), True), (D(2026, 3, 23), True)],
)
def test_deadline_passes_after_the_last_day_to_send(today, passed):
    assert deadline_passed(expiry=D(2026, 3, 23), today=today) is passed


def test_deadline_uses_the_bishkek_date_by_default(time_machine):
    # 2026-03-17 19:30 UTC is already 2026-03-18 01:30 in Bishkek (UTC+6): past the last day to send.
    time_machine.move_to(dt.datetime(2026, 3, 17, 19, 30, tzinfo=dt.UTC), tick=False)
    assert deadline_passed(expiry=D(2026, 3, 23)) is True
    time_machine.move_to(dt.datetime(2026, 3, 17, 17, 30, tzinfo=dt.UTC), tick=False)
    assert deadline_passed(expiry=D(2026, 3, 23)) is False


def test_override_set_replaces_an_earlier_override_and_is_audited():
    workday_override_set(day=D(2026, 3, 17), kind=DAY_OFF, note="Decree No. 1")
    workday_override_set(day=D(2026, 3, 17), kind=WORKING, note="Decree No. 2")
    override = WorkdayOverride.objects.get(date=D(2026, 3, 17))
    assert (override.kind, override.note) == (WORKING, "Decree No. 2")
    actions = list(AuditEvent.objects.filter(target_id=str(override.pk)).values_list("action", "data"))
    assert [a for a, _ in actions] == ["workday.override_set", "workday.override_set"]
    assert actions[1][1]["previous"] == DAY_OFF


def test_override_delete_gives_the_day_back_to_the_package():
    workday_override_set(day=D(2026, 3, 17), kind=DAY_OFF)
    assert last_day_to_send(expiry=D(2026, 3, 23)) == D(2026, 3, 16)
    assert workday_override_delete(day=D(2026, 3, 17)) is True
    assert workday_override_delete(day=D(2026, 3, 17)) is False
    assert last_day_to_send(expiry=D(2026, 3, 23)) == D(2026, 3, 17)
    assert AuditEvent.objects.filter(action="workday.override_delete").count() == 1


def test_override_with_an_unknown_kind_is_refused():
    with pytest.raises(ValidationFailed):
        workday_override_set(day=D(2026, 3, 17), kind="holiday")
    assert not WorkdayOverride.objects.exists()
