"""Who gets no reminder: token and revoked certificates, inactive holders, renewals under way."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reminders.conftest import EXPIRY, days_before
from uzart import clock
from uzart.outbox.models import Notification
from uzart.pki.models import Certificate
from uzart.reminders.models import ReminderPolicy, ReminderSent
from uzart.reminders.schedule import day_start
from uzart.reminders.selectors import crossing_bounds, due_queries
from uzart.reminders.services import reminder_policy_save, reminder_sweep
from uzart.renewals.models import Channel, RenewalRequest, Status
from uzart.workdays.models import WorkdayOverride
from uzart.workdays.selectors import last_day_to_send

pytestmark = pytest.mark.django_db


def _request(certificate: Certificate, status: str) -> RenewalRequest:
    return RenewalRequest.objects.create(
        number=uuid.uuid4().hex[:10],
        idempotency_key=uuid.uuid4().hex,
        certificate=certificate,
        holder=certificate.owner,
        company=certificate.company,
        channel=Channel.REMOTE,
        status=status,
        full_name=certificate.owner.full_name,
        company_name=certificate.company.legal_name,
        company_inn=certificate.company.inn,
        old_not_after=certificate.not_after,
        last_day_to_send=last_day_to_send(expiry=certificate.not_after.date()),
        new_not_before=certificate.not_after,
        new_not_after=certificate.not_after + dt.timedelta(days=365),
        submitted_at=clock.now(),
    )


def test_a_token_certificate_gets_no_reminder(travel, certificate_for):
    certificate = certificate_for()
    Certificate.objects.filter(pk=certificate.pk).update(storage="token", key=None)
    travel.move_to(days_before(14))
    assert reminder_sweep().sent == 0


def test_a_revoked_certificate_gets_no_reminder(travel, certificate_for):
    certificate = certificate_for()
    Certificate.objects.filter(pk=certificate.pk).update(
        revoked_at=clock.now(), revocation_reason="superseded"
    )
    travel.move_to(days_before(14))
    assert reminder_sweep().sent == 0


def test_an_inactive_holder_gets_no_reminder(travel, certificate_for):
    certificate = certificate_for()
    certificate.owner.is_active = False
    certificate.owner.save()
    travel.move_to(days_before(14))
    assert reminder_sweep().sent == 0


def test_an_expired_certificate_gets_no_reminder(travel, certificate_for):
    certificate_for()
    travel.move_to(EXPIRY + dt.timedelta(hours=1))
    assert reminder_sweep().sent == 0


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.DOCUMENTS_SUBMITTED, Status.IN_REVIEW, Status.ISSUED]
)
def test_no_reminder_once_a_renewal_request_is_open_or_issued(travel, certificate_for, status):
    certificate = certificate_for()
    travel.move_to(days_before(20))
    _request(certificate, status)
    for days in (14, 7, 5, 3, 1, 0):
        travel.move_to(days_before(days))
        assert reminder_sweep().sent == 0
    assert not Notification.objects.filter(kind__startswith="reminder.").exists()


def test_after_a_cancelled_request_the_holder_is_reminded_again_with_the_latest_threshold(
    travel, certificate_for
):
    certificate = certificate_for()
    travel.move_to(days_before(20))
    request = _request(certificate, Status.SUBMITTED)
    travel.move_to(days_before(6))
    assert reminder_sweep().sent == 0
    RenewalRequest.objects.filter(pk=request.pk).update(status=Status.CANCELLED)
    reminder_sweep()
    sent = ReminderSent.objects.filter(certificate=certificate, outcome="sent")
    assert [(r.kind, r.threshold) for r in sent] == [("reminder.expiry", 7)]


def test_no_reminder_for_a_certificate_with_a_successor_and_the_new_eds_active_notice_goes_once(
    travel, certificate_for, enrol
):
    old = certificate_for()
    travel.move_to(days_before(20))
    new = enrol(old.owner, company=old.company, not_before=EXPIRY, not_after=EXPIRY.replace(year=2028),
                predecessor=old)  # fmt: skip
    travel.move_to(days_before(14))
    assert reminder_sweep().sent == 0
    travel.move_to(EXPIRY - dt.timedelta(minutes=1))
    assert reminder_sweep().new_eds_active == 0  # the old one is still in force
    travel.move_to(EXPIRY + dt.timedelta(minutes=5))
    assert reminder_sweep().new_eds_active == 1
    assert reminder_sweep().new_eds_active == 0
    notice = Notification.objects.get(kind="certificate.active")
    assert notice.user_id == old.owner_id
    assert notice.params == {"starts": "14.06.2027", "ends": "14.06.2028"}
    assert ReminderSent.objects.get(certificate=new).kind == "certificate.active"


def test_the_policy_decides_the_thresholds(travel, certificate_for, operator_admin_user):
    certificate = certificate_for()
    policy = ReminderPolicy(days_before="10, 2", last_day=False, expiry_day=False)
    reminder_policy_save(policy=policy, actor=operator_admin_user)
    for days in range(31, -1, -1):
        travel.move_to(days_before(days))
        reminder_sweep()
    sent = ReminderSent.objects.filter(certificate=certificate, outcome="sent").order_by("id")
    assert [(r.kind, r.threshold) for r in sent] == [("reminder.expiry", 10), ("reminder.expiry", 2)]


@pytest.fixture
def operator_admin_user(db):  # type: ignore[no-untyped-def]
    from tests.factories import operator_admin

    return operator_admin()


def test_the_sql_bound_of_the_last_day_to_send_agrees_with_the_working_day_calendar(db):
    """Crossed iff not_after < bound, for every day across holidays, weekends and an operator override."""
    WorkdayOverride.objects.create(
        date=dt.date(2027, 1, 9), kind=WorkdayOverride.Kind.WORKING_DAY, note="test"
    )
    WorkdayOverride.objects.create(date=dt.date(2027, 3, 10), kind=WorkdayOverride.Kind.DAY_OFF, note="test")
    policy = ReminderPolicy()
    starts = [dt.date(2026, 12, 24), dt.date(2027, 3, 1), dt.date(2027, 4, 25), dt.date(2027, 8, 26)]
    for start in starts:
        for offset in range(20):
            today = start + dt.timedelta(days=offset)
            bound = dict(((kind, t), b) for kind, t, b in crossing_bounds(today=today, policy=policy))
            for ahead in range(0, 16):
                expiry = today + dt.timedelta(days=ahead)
                crossed = last_day_to_send(expiry=expiry) <= today
                assert (day_start(expiry) < bound[("reminder.last_day", 0)]) == crossed, (today, expiry)


def test_the_sweep_writes_in_bulk_so_its_queries_do_not_grow_with_the_due_certificates(
    travel, certificate_for
):
    for index in range(3):
        certificate_for(expiry=EXPIRY + dt.timedelta(minutes=index))
    travel.move_to(days_before(14))
    with CaptureQueriesContext(connection) as three:
        assert reminder_sweep().sent == 3
    for index in range(30):
        certificate_for(expiry=EXPIRY + dt.timedelta(minutes=10 + index))
    travel.move_to(days_before(7))
    with CaptureQueriesContext(connection) as thirty_three:
        assert reminder_sweep().sent == 33
    assert len(thirty_three) <= len(three), [q["sql"][:80] for q in thirty_three]


def test_the_sweep_selects_by_an_indexed_range_of_not_after(travel, certificate_for):
    certificate_for()
    travel.move_to(days_before(14))
    now = clock.now()
    queries = due_queries(now=now, today=clock.to_bishkek(now).date(), policy=ReminderPolicy())
    assert len(queries) == 7  # 30, 14, 7, 3, 1 days, the last day to send, the expiry day
    for query in queries:
        sql = str(query.query)
        assert '"pki_certificate"."not_after" >=' in sql and '"pki_certificate"."not_after" <' in sql
        assert "NOT (EXISTS" in sql and " OR " not in sql  # an anti-join PostgreSQL can run per candidate
        plan = query.explain()
        assert "not_after" in plan and "index" in plan.lower(), plan
