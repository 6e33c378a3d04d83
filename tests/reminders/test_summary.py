"""The operator's daily e-mail: open requests whose last day to send has passed, once a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from tests.reminders.conftest import days_before
from tests.reminders.test_selection import _request
from uzart.clock import BISHKEK
from uzart.outbox.models import Notification
from uzart.outbox.services import delivery_send_due
from uzart.reminders.services import operator_summary_send
from uzart.renewals.models import RenewalRequest, Status

pytestmark = pytest.mark.django_db


def test_the_daily_summary_lists_overdue_open_requests_once_a_day_from_eight(
    travel, certificate_for, settings
):
    settings.OPERATOR_SUMMARY_EMAIL = "queue@operator.example"
    late = certificate_for()
    in_time = certificate_for(expiry=days_before(-20, hour=12))
    travel.move_to(days_before(20))
    overdue = _request(late, Status.IN_REVIEW)  # its last day to send is 9 June
    _request(in_time, Status.SUBMITTED)

    travel.move_to(days_before(4, hour=7))  # 10 June, 07:00: too early
    assert operator_summary_send() is None
    travel.move_to(days_before(4, hour=8))
    summary = operator_summary_send()
    assert summary is not None
    assert operator_summary_send() is None  # once a day
    assert summary.params["count"] == 1
    assert [row["number"] for row in summary.params["requests"]] == [overdue.number]
    assert delivery_send_due().sent == 1
    [message] = mail.outbox
    assert message.to == ["queue@operator.example"]
    assert "1 заявка на продление" in message.subject  # the operator's language, Russian
    assert overdue.number in message.body and "09.06.2027" in message.body

    travel.move_to(days_before(3, hour=9))
    assert operator_summary_send() is not None  # the next day, again
    RenewalRequest.objects.filter(pk=overdue.pk).update(status=Status.ISSUED)
    travel.move_to(days_before(2, hour=9))
    assert operator_summary_send() is None  # nothing overdue any more
    assert Notification.objects.filter(kind="operator.summary").count() == 2


def test_without_an_address_no_summary_is_queued(travel, certificate_for, settings):
    settings.OPERATOR_SUMMARY_EMAIL = ""
    certificate = certificate_for()
    travel.move_to(days_before(20))
    _request(certificate, Status.SUBMITTED)
    travel.move_to(dt.datetime(2027, 6, 11, 9, tzinfo=BISHKEK))
    assert operator_summary_send() is None  # the operator profile is not filled in yet
