"""The outbox: deliveries per channel written with the notification, claimed once, retried with backoff."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from tests.factories import holder
from uzart import clock
from uzart.errors import ValidationFailed
from uzart.outbox import services
from uzart.outbox.models import Delivery, Notification, ReminderPreference
from uzart.outbox.services import (
    delivery_send_due,
    notification_enqueue,
    preference_set,
    retry_delay,
)
from uzart.outbox.sms import HttpGatewayBackend, SmsError

pytestmark = pytest.mark.django_db

PARAMS = {"days": 14, "expires": "14.06.2027", "last_day": "09.06.2027", "time": "12:00"}
TOKEN = "gw-token-5f2a9c0d7e"


def _enqueue(user, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("kind", "reminder.expiry")
    kwargs.setdefault("params", PARAMS)
    kwargs.setdefault("link", "/renew/")
    return notification_enqueue(user=user, **kwargs)


def _channels(notification: Notification) -> list[str]:
    return sorted(notification.deliveries.values_list("channel", flat=True))


def test_by_default_a_notification_goes_in_app_and_by_e_mail():
    notification = _enqueue(holder())
    assert _channels(notification) == ["email"]


def test_the_holder_may_add_sms_and_turn_e_mail_off_but_in_app_stays(settings):
    settings.SMS_BACKEND = "uzart.outbox.sms.MemoryBackend"
    user = holder(phone="+996700123456")
    preference_set(user=user, email=True, sms=True)
    assert _channels(_enqueue(user)) == ["email", "sms"]
    preference_set(user=user, email=False, sms=False)
    quiet = _enqueue(user)
    assert _channels(quiet) == []
    assert Notification.objects.filter(user=user).count() == 2  # in-app cannot be turned off


def test_sms_needs_a_phone_number_and_a_configured_gateway(settings):
    user = holder(phone="")
    with pytest.raises(ValidationFailed):
        preference_set(user=user, email=True, sms=True)
    settings.SMS_BACKEND = ""
    with pytest.raises(ValidationFailed):
        preference_set(user=holder(phone="+996700000001"), email=True, sms=True)
    assert not ReminderPreference.objects.exists()


def test_a_dedupe_key_writes_a_notification_at_most_once():
    user = holder()
    assert _enqueue(user, dedupe_key="k1") is not None
    assert _enqueue(user, dedupe_key="k1") is None
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_one_delivery_task_per_transaction_runs_after_commit(django_capture_on_commit_callbacks):
    users = [holder() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for user in users:
            _enqueue(user)
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    user = holder()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue(user)
        raise RuntimeError("the cause failed")
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists()


def test_a_delivery_is_claimed_by_one_worker_only():
    _enqueue(holder())
    delivery = Delivery.objects.get()
    now = clock.now()
    first = services._claim(delivery.pk, now)
    second = services._claim(delivery.pk, now)
    assert first is not None and second is None
    assert first.attempts == 1


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (8, 128), (9, 256), (10, 360), (20, 360)],
)
def test_retries_back_off_exponentially_up_to_six_hours(attempts, minutes):
    assert retry_delay(attempts) == dt.timedelta(minutes=minutes)


def test_an_sms_without_a_phone_number_is_dead_at_once(settings):
    settings.SMS_BACKEND = "uzart.outbox.sms.MemoryBackend"
    user = holder(phone="+996700123456")
    preference_set(user=user, email=False, sms=True)
    _enqueue(user)
    user.phone = ""
    user.save()
    report = delivery_send_due()
    assert (report.sent, report.dead) == (0, 1)
    assert Delivery.objects.get().last_error == "Undeliverable: no phone number"


def test_configured_secrets_never_reach_the_recorded_error(settings):
    settings.EMAIL_HOST_PASSWORD = "smtp-pass-4471"
    settings.SMS_GATEWAY_TOKEN = TOKEN
    error = OSError(f"login smtp-pass-4471 refused, token {TOKEN}")
    assert services._describe(error) == "OSError: login *** refused, token ***"


class _Gateway(BaseHTTPRequestHandler):
    answer = 200
    received: list[tuple[dict[str, str], dict[str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((dict(self.headers), json.loads(body)))
        self.send_response(_Gateway.answer)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "queued"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sms_gateway(settings):  # type: ignore[no-untyped-def]
    """A JSON SMS gateway on loopback; Uzart is configured to use it with a bearer token."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received = []
    _Gateway.answer = 200
    settings.SMS_BACKEND = "uzart.outbox.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/v1/sms"
    settings.SMS_GATEWAY_TOKEN = TOKEN
    settings.SMS_SENDER = "Uzart"
    try:
        yield _Gateway
    finally:
        server.shutdown()
        server.server_close()


def test_an_sms_goes_to_the_json_gateway_with_the_bearer_token(sms_gateway):
    user = holder(phone="+996700123456", preferred_language="ru")
    preference_set(user=user, email=False, sms=True)
    _enqueue(user)
    assert delivery_send_due().sent == 1
    [(headers, body)] = sms_gateway.received
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"].startswith("application/json")
    assert body["to"] == "+996700123456" and body["sender"] == "Uzart"
    assert (
        body["text"] == "Uzart: Срок действия вашей ЭЦП истекает через 14 дней. http://127.0.0.1:8000/renew/"
    )


def test_a_gateway_error_is_retried_and_the_token_stays_out_of_errors_and_logs(sms_gateway, caplog):
    sms_gateway.answer = 503
    user = holder(phone="+996700123456")
    preference_set(user=user, email=False, sms=True)
    _enqueue(user)
    with time_machine.travel(clock.now(), tick=False) as traveller:
        assert delivery_send_due().failed == 1
        delivery = Delivery.objects.get()
        assert delivery.last_error == "SmsError: the SMS gateway answered HTTP 503"
        sms_gateway.answer = 200
        traveller.move_to(delivery.next_attempt_at)
        assert delivery_send_due().sent == 1
    assert len(sms_gateway.received) == 2
    assert TOKEN not in caplog.text


def test_the_gateway_must_be_https_unless_it_is_on_loopback(settings):
    settings.SMS_GATEWAY_TOKEN = TOKEN
    with pytest.raises(SmsError) as refused:
        HttpGatewayBackend(url="http://sms.example.kg/send")
    assert TOKEN not in str(refused.value)
    assert HttpGatewayBackend(url="https://sms.example.kg/send").url == "https://sms.example.kg/send"
    assert HttpGatewayBackend(url="http://127.0.0.1:9/send").url.startswith("http://127.0.0.1")
