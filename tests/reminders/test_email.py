"""Reminders reach a real SMTP server on loopback, in the holder's language; an outage loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reminders.conftest import SmtpSink, days_before, start_smtp
from uzart import clock
from uzart.accounts.models import OperatorProfile
from uzart.outbox.models import Delivery, Notification
from uzart.outbox.services import delivery_send_due
from uzart.reminders.services import reminder_sweep

pytestmark = pytest.mark.django_db

EXPECTED = {
    "ky": {
        "subject": "Сиздин ЭКТнын мөөнөтү 14 күндөн кийин бүтөт",
        "days": "Калган күндөр: 14",
        "last_day": "Узартуу буйрутмасын жөнөтүүнүн акыркы күнү: 09.06.2027",
        "greeting": "Саламатсызбы, Асанова Айгуль Бакытовна!",
    },
    "ru": {
        "subject": "Срок действия вашей ЭЦП истекает через 14 дней",
        "days": "Осталось дней: 14",
        "last_day": "Последний день для отправки заявки на продление: 09.06.2027",
        "greeting": "Здравствуйте, Петров Иван Сергеевич!",
    },
}


@pytest.fixture
def operator_profile(db):  # type: ignore[no-untyped-def]
    return OperatorProfile.objects.create(
        name="ОсОО «Ала-Тоо Отчет»",
        support_email="help@ala-too.example",
        phones="+996 312 000 101",
        office_address="Бишкек, ул. Примерная 1",
        working_hours="Пн–Пт 9:00–18:00",
    )


def _text_and_html(message):  # type: ignore[no-untyped-def]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_reminder_arrives_by_smtp_in_kyrgyz_and_in_russian_with_the_days_left(
    travel, certificate_for, smtp_server: SmtpSink, operator_profile, settings
):
    settings.PUBLIC_BASE_URL = "https://uzart.example.kg"
    aigul = certificate_for(language="ky", surname="Асанова", given_name="Айгуль", patronymic="Бакытовна",
                            email="aigul@company.example").owner  # fmt: skip
    ivan = certificate_for(language="ru", surname="Петров", given_name="Иван", patronymic="Сергеевич",
                           email="ivan@company.example").owner  # fmt: skip
    travel.move_to(days_before(14))
    assert reminder_sweep().sent == 2
    assert delivery_send_due().sent == 2

    messages = {m["To"]: m for m in smtp_server.messages}
    assert set(messages) == {aigul.email, ivan.email}
    for user in (aigul, ivan):
        message = messages[user.email]
        expected = EXPECTED[user.preferred_language]
        # Django folds a long encoded subject onto the next line; unfolding leaves a leading blank.
        assert message["Subject"].strip() == expected["subject"]
        assert message.get_content_type() == "multipart/alternative"
        text, html = _text_and_html(message)
        for key in ("days", "last_day", "greeting"):
            assert expected[key] in text, (user.preferred_language, key, text)
        assert "https://uzart.example.kg/renew/" in text
        assert 'href="https://uzart.example.kg/renew/"' in html
        assert expected["subject"] in html
        assert "+996 312 000 101" in text and "help@ala-too.example" in text
        assert "14.06.2027" in text
    assert Delivery.objects.filter(status="sent").count() == 2


def test_smtp_down_is_retried_with_backoff_and_the_reminder_arrives_once_when_it_is_back(
    travel, certificate_for, smtp_settings
):
    certificate_for()
    travel.move_to(days_before(14))
    reminder_sweep()
    delivery = Delivery.objects.get()
    schedule = []
    for _attempt in range(3):  # nothing listens on the port
        now = clock.now()
        report = delivery_send_due()
        assert (report.sent, report.failed) == (0, 1)
        delivery.refresh_from_db()
        schedule.append(delivery.next_attempt_at - now)
        assert delivery.status == "failed"
        assert "ConnectionRefusedError" in delivery.last_error
        assert delivery_send_due().failed == 0  # not due again before its time
        travel.move_to(delivery.next_attempt_at)
    assert delivery.attempts == 3
    assert schedule == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]

    sink = SmtpSink(port=smtp_settings.EMAIL_PORT)
    controller = start_smtp(sink)
    try:
        assert delivery_send_due().sent == 1
        for hours in (1, 5, 30):
            travel.move_to(clock.now() + dt.timedelta(hours=hours))
            reminder_sweep()
            assert delivery_send_due().sent == 0
    finally:
        controller.stop()
    assert len(sink.raw) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 4, "")
    assert Notification.objects.count() == 1


def test_after_the_last_attempt_a_delivery_is_dead_and_an_operator_resends_it(
    travel, certificate_for, smtp_settings, client, settings
):
    from tests.factories import specialist

    settings.OUTBOX_MAX_ATTEMPTS = 2
    certificate = certificate_for()
    travel.move_to(days_before(7))
    reminder_sweep()
    for _attempt in range(2):
        delivery_send_due()
        travel.move_to(clock.now() + dt.timedelta(hours=1))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("dead", 2)
    assert delivery_send_due().failed == 0  # a dead delivery is not retried by itself

    # A holder may neither see nor resend it.
    client.force_login(certificate.owner)
    assert client.get("/operator/deliveries/").status_code == 403
    assert client.post(f"/operator/deliveries/{delivery.pk}/resend/").status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "dead"

    client.force_login(specialist())
    page = client.get("/operator/deliveries/")
    assert page.status_code == 200
    assert certificate.owner.email in page.content.decode()
    assert "ConnectionRefusedError" in page.content.decode()
    sink = SmtpSink(port=smtp_settings.EMAIL_PORT)
    controller = start_smtp(sink)
    try:
        response = client.post(f"/operator/deliveries/{delivery.pk}/resend/", {"status": "dead"})
        assert response.status_code == 302
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 0)
        assert delivery_send_due().sent == 1
    finally:
        controller.stop()
    assert len(sink.raw) == 1
    assert certificate.owner.email in sink.messages[0]["To"]
