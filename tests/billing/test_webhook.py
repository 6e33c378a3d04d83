"""The payment provider's webhook: signed, fresh, idempotent by payment id; errors change nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from tests.factories import CompanyFactory
from uzart.billing.models import LedgerEntry
from uzart.billing.selectors import account_balance_get
from uzart.billing.webhooks import webhook_sign

URL = "/billing/webhook/payment/"
SECRET = "whsec-test-0123456789abcdef"
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _secret_and_clock(settings):
    settings.PAYMENT_WEBHOOK_SECRET = SECRET
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def company():
    return CompanyFactory(inn="02412201910101")


def _body(**overrides) -> bytes:
    data = {
        "payment_id": "PAY-1001",
        "inn": "02412201910101",
        "amount_tyiyn": 2_000_00,
        "timestamp": 1_795_770_000,
    }
    data.update(overrides)
    return json.dumps(data).encode()


def _post(client, body: bytes, *, timestamp: int | None = None, signature: str | None = None, secret=SECRET):
    ts = str(int(NOW.timestamp()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_UZART_TIMESTAMP": ts,
        "HTTP_X_UZART_SIGNATURE": signature or webhook_sign(secret=secret, timestamp=ts, body=body),
    }
    return client.post(URL, data=body, content_type="application/json", **headers)


def _state(company):
    return account_balance_get(company=company), LedgerEntry.objects.count()


def test_a_valid_notification_delivered_three_times_credits_once(client, company):
    body = _body()
    first = _post(client, body)
    assert first.status_code == 201
    assert first.json()["status"] == "credited"
    entry_id = first.json()["entry_id"]
    for _ in range(2):
        again = _post(client, body)
        assert again.status_code == 200
        assert again.json() == {"status": "duplicate", "entry_id": entry_id, "amount_tyiyn": 2_000_00}
    assert _state(company) == (2_000_00, 1)
    entry = LedgerEntry.objects.get()
    assert entry.method == LedgerEntry.Method.PROVIDER
    assert entry.document_number == "PAY-1001"
    assert entry.idempotency_key == "provider:PAY-1001"


def test_a_retry_signed_later_with_the_same_body_is_still_a_duplicate(client, company):
    body = _body()
    assert _post(client, body).status_code == 201
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        later = _post(client, body, timestamp=int(NOW.timestamp()) + 7200)
    assert later.status_code == 200
    assert _state(company) == (2_000_00, 1)


def _assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["detail"]


def test_a_bad_signature_is_refused_and_changes_nothing(client, company):
    before = _state(company)
    response = _post(client, _body(), secret="not-the-secret")
    _assert_problem(response, 403, "signature_invalid")
    assert _state(company) == before


def test_a_signature_over_another_body_is_refused(client, company):
    signature = webhook_sign(secret=SECRET, timestamp=str(int(NOW.timestamp())), body=_body(amount_tyiyn=1))
    response = _post(client, _body(amount_tyiyn=9_999_999_00), signature=signature)
    _assert_problem(response, 403, "signature_invalid")
    assert _state(company) == (0, 0)


def test_missing_signature_headers_are_refused(client, company):
    response = client.post(URL, data=_body(), content_type="application/json")
    _assert_problem(response, 401, "signature_missing")
    assert _state(company) == (0, 0)


@pytest.mark.parametrize("skew", [-301, 301, -86_400])
def test_a_stale_or_future_timestamp_is_refused_and_changes_nothing(client, company, skew):
    before = _state(company)
    response = _post(client, _body(), timestamp=int(NOW.timestamp()) + skew)
    _assert_problem(response, 403, "timestamp_stale")
    assert _state(company) == before


def test_a_timestamp_within_five_minutes_is_accepted(client, company):
    assert _post(client, _body(), timestamp=int(NOW.timestamp()) - 299).status_code == 201


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"\xff\xfe", "malformed_json"),
        (b"[1, 2]", "malformed_json"),
        (json.dumps({"payment_id": "P"}).encode(), "field_missing"),
    ],
)
def test_malformed_json_is_refused_with_400_and_changes_nothing(client, company, body, code):
    before = _state(company)
    _assert_problem(_post(client, body), 400, code)
    assert _state(company) == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"inn": "99999999999999"}, "unknown_inn"),
        ({"inn": "0241220191010"}, "inn_invalid"),
        ({"amount_tyiyn": 0}, "amount_not_positive"),
        ({"amount_tyiyn": -500}, "amount_not_positive"),
        ({"amount_tyiyn": 10.5}, "amount_invalid"),
        ({"amount_tyiyn": "1000"}, "amount_invalid"),
        ({"payment_id": ""}, "payment_id_invalid"),
        ({"payment_id": "a b"}, "payment_id_invalid"),
        ({"timestamp": "yesterday"}, "timestamp_field_invalid"),
        ({"timestamp": "2026-11-27T10:00:00"}, "timestamp_field_invalid"),
    ],
)
def test_bad_fields_are_refused_with_400_and_change_nothing(client, company, overrides, code):
    before = _state(company)
    _assert_problem(_post(client, _body(**overrides)), 400, code)
    assert _state(company) == before


def test_an_iso_timestamp_with_offset_is_accepted(client, company):
    assert _post(client, _body(timestamp="2026-11-27T14:55:00+06:00")).status_code == 201


def test_the_same_payment_id_with_a_different_body_is_a_409_and_changes_nothing(client, company):
    assert _post(client, _body()).status_code == 201
    before = _state(company)
    _assert_problem(_post(client, _body(amount_tyiyn=5_000_00)), 409, "payment_id_conflict")
    other = CompanyFactory(inn="01506201810202")
    _assert_problem(_post(client, _body(inn=other.inn)), 409, "payment_id_conflict")
    assert _state(company) == before
    assert account_balance_get(company=other) == 0


def test_the_webhook_needs_no_csrf_token_but_only_accepts_post(company):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert _post(strict, _body()).status_code == 201
    assert strict.get(URL).status_code == 405


def test_without_a_configured_secret_the_webhook_is_off(client, company, settings):
    settings.PAYMENT_WEBHOOK_SECRET = ""
    _assert_problem(_post(client, _body(), secret="anything"), 503, "webhook_disabled")
    assert _state(company) == (0, 0)
