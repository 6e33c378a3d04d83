"""Two sweeps at the same moment on PostgreSQL send each reminder once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection, connections

from tests.reminders.conftest import days_before
from uzart.outbox.models import Delivery, Notification
from uzart.reminders import services
from uzart.reminders.models import ReminderSent
from uzart.reminders.services import SweepReport, reminder_sweep

HOLDERS = 12


def _run_together(count: int, work) -> list[SweepReport]:  # type: ignore[no-untyped-def]
    start = threading.Barrier(count)
    results: list[SweepReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            results.append(work())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == count
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_in_parallel_send_no_duplicate(travel, certificate_for, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, there is no race to lose")
    certificates = [certificate_for() for _ in range(HOLDERS)]

    # Make both sweeps read the same due list before either writes: every certificate is raced for.
    both_selected = threading.Barrier(2)
    original = services.handled_thresholds

    def handled_then_wait(**kwargs):  # type: ignore[no-untyped-def]
        result = original(**kwargs)
        both_selected.wait(timeout=30)
        return result

    monkeypatch.setattr(services, "handled_thresholds", handled_then_wait)
    for round_number, days in enumerate((30, 14, 7), start=1):
        travel.move_to(days_before(days))
        both_selected.reset()
        reports = _run_together(2, reminder_sweep)
        assert sum(r.sent for r in reports) == HOLDERS
        assert sum(r.lost_races for r in reports) == HOLDERS  # the other sweep lost every race
        assert Notification.objects.count() == HOLDERS * round_number

    keys = Counter(Notification.objects.values_list("dedupe_key", flat=True))
    assert max(keys.values()) == 1
    per_certificate = Counter(
        ReminderSent.objects.filter(outcome="sent").values_list("certificate_id", flat=True)
    )
    assert per_certificate == {c.pk: 3 for c in certificates}
    # The e-mails were sent right after each sweep (ImmediateBackend runs the delivery task), once each.
    assert Delivery.objects.filter(status="sent").count() == HOLDERS * 3
    recipients = Counter((m.to[0], m.subject) for m in mail.outbox)
    assert len(mail.outbox) == HOLDERS * 3 and max(recipients.values()) == 1
