"""Every threshold is reminded once, on time; after a gap only the latest crossed one goes out."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reminders.conftest import EXPIRY, days_before
from uzart.outbox.models import Notification
from uzart.reminders.models import ReminderSent
from uzart.reminders.services import reminder_sweep
from uzart.workdays.selectors import last_day_to_send

pytestmark = pytest.mark.django_db

# (days before the expiry date the sweep runs, the reminder it sends: (threshold kind, days left, wording))
# or None. From the day after the last day to send, the text says the deadline has passed.
TABLE = [
    (31, None),
    (30, ("reminder.expiry", 30, "reminder.expiry")),
    (29, None),
    (14, ("reminder.expiry", 14, "reminder.expiry")),
    (7, ("reminder.expiry", 7, "reminder.expiry")),
    (5, ("reminder.last_day", 5, "reminder.last_day")),  # Wed 9 June: 3 working days before
    (3, ("reminder.expiry", 3, "reminder.late")),
    (1, ("reminder.expiry", 1, "reminder.late")),
    (0, ("reminder.expiry_day", 0, "reminder.expiry_day")),
]


def _sent_since(count: int) -> list[Notification]:
    return list(Notification.objects.order_by("id")[count:])


def test_the_test_expiry_has_its_last_day_to_send_five_days_before(travel):
    assert last_day_to_send(expiry=EXPIRY.date()) == EXPIRY.date() - dt.timedelta(days=5)


def test_a_certificate_passing_each_threshold_gets_exactly_one_reminder_per_threshold(
    travel, certificate_for
):
    certificate = certificate_for()
    for days, expected in TABLE:
        travel.move_to(days_before(days))
        before = Notification.objects.count()
        reminder_sweep()
        reminder_sweep()  # a second sweep the same day changes nothing
        travel.move_to(days_before(days, hour=23))
        reminder_sweep()  # nor does one late in the evening
        new = _sent_since(before)
        if expected is None:
            assert new == [], f"{days} days before: nothing is due"
            continue
        threshold_kind, days_left, wording = expected
        assert [(n.kind, n.params["days"]) for n in new] == [(wording, days_left)], f"{days} days before"
        assert (
            new[0].dedupe_key
            == f"reminder:{certificate.pk}:{threshold_kind}:{days_left if threshold_kind == 'reminder.expiry' else 0}"
        )
        assert new[0].user_id == certificate.owner_id
        assert new[0].params["expires"] == "14.06.2027"
        assert new[0].params["last_day"] == "09.06.2027"
    records = ReminderSent.objects.filter(certificate=certificate)
    assert sorted((r.kind, r.threshold, r.outcome) for r in records) == sorted(
        [
            ("reminder.expiry", 30, "sent"),
            ("reminder.expiry", 14, "sent"),
            ("reminder.expiry", 7, "sent"),
            ("reminder.last_day", 0, "sent"),
            ("reminder.expiry", 3, "sent"),
            ("reminder.expiry", 1, "sent"),
            ("reminder.expiry_day", 0, "sent"),
        ]
    )
    assert Notification.objects.filter(user=certificate.owner).count() == 7


def test_three_skipped_days_of_sweeps_give_one_catch_up_reminder_not_three(travel, certificate_for):
    certificate = certificate_for()
    for days in (30, 14, 7, 5, 4):
        travel.move_to(days_before(days))
        reminder_sweep()
    before = Notification.objects.count()
    # No sweep on the 3rd, 2nd and 1st day before expiry (the 3-day and 1-day thresholds pass unseen).
    travel.move_to(days_before(0))
    report = reminder_sweep()
    new = _sent_since(before)
    assert [(n.kind, n.params["days"]) for n in new] == [("reminder.expiry_day", 0)]
    assert (report.sent, report.superseded) == (1, 2)
    outcomes = dict(
        ((r.kind, r.threshold), r.outcome) for r in ReminderSent.objects.filter(certificate=certificate)
    )
    assert outcomes[("reminder.expiry", 3)] == "superseded"
    assert outcomes[("reminder.expiry", 1)] == "superseded"
    assert outcomes[("reminder.expiry_day", 0)] == "sent"
    # The skipped thresholds never go out later.
    travel.move_to(days_before(0, hour=11))
    assert reminder_sweep().sent == 0
    assert Notification.objects.count() == before + 1


def _sent_thresholds(certificate) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    records = ReminderSent.objects.filter(certificate=certificate, outcome="sent").order_by("id")
    return [(r.kind, r.threshold) for r in records]


def test_a_gap_over_the_last_day_to_send_sends_only_the_latest_threshold(travel, certificate_for):
    certificate = certificate_for()
    travel.move_to(days_before(8))
    reminder_sweep()  # 30 and 14 are crossed: only 14 goes out, telling the 8 days really left
    assert [(n.kind, n.params["days"]) for n in Notification.objects.all()] == [("reminder.expiry", 8)]
    assert _sent_thresholds(certificate) == [("reminder.expiry", 14)]
    travel.move_to(days_before(3))  # 7, the last day (5) and 3 crossed meanwhile
    reminder_sweep()
    assert _sent_thresholds(certificate) == [("reminder.expiry", 14), ("reminder.expiry", 3)]
    assert Notification.objects.count() == 2


def test_a_certificate_enrolled_inside_the_window_gets_the_current_threshold_only(travel, certificate_for):
    travel.move_to(days_before(10))
    certificate = certificate_for()
    report = reminder_sweep()
    assert (report.sent, report.superseded) == (1, 1)  # 14 sent, 30 superseded
    assert Notification.objects.get().params["days"] == 10
    assert _sent_thresholds(certificate) == [("reminder.expiry", 14)]


def test_on_the_last_day_to_send_the_last_day_reminder_outranks_an_n_day_one(travel, certificate_for):
    # Expiry on Friday 18 June 2027: the last day to send is Tuesday 15 June, 3 days before.
    friday = EXPIRY + dt.timedelta(days=4)
    assert last_day_to_send(expiry=friday.date()) == friday.date() - dt.timedelta(days=3)
    certificate = certificate_for(expiry=friday)
    travel.move_to(days_before(3, expiry=friday))
    reminder_sweep()
    assert [n.kind for n in Notification.objects.all()] == ["reminder.last_day"]
    assert ReminderSent.objects.get(certificate=certificate, kind="reminder.expiry", threshold=3).outcome == (
        "superseded"
    )


def test_a_sweep_the_day_after_the_last_day_to_send_says_the_deadline_has_passed(travel, certificate_for):
    certificate = certificate_for()
    travel.move_to(days_before(4))  # nothing ran since before the 30-day threshold
    reminder_sweep()
    notification = Notification.objects.get()
    assert notification.kind == "reminder.late"
    assert notification.render()[1].startswith("The last day to send the renewal request was 09.06.2027.")
    assert _sent_thresholds(certificate) == [("reminder.last_day", 0)]
