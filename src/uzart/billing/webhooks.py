"""The payment provider's notification: signature, freshness and body checks, then one idempotent top-up.

Protocol (see docs/billing.md):
    POST /billing/webhook/payment/
    Content-Type: application/json
    X-Uzart-Timestamp: <Unix seconds when the notification was sent>
    X-Uzart-Signature: sha256=<hex HMAC-SHA256 of "<X-Uzart-Timestamp>.<raw body>" keyed with
                       settings.PAYMENT_WEBHOOK_SECRET>
    {"payment_id": "...", "inn": "<14 digits>", "amount_tyiyn": <int > 0>, "timestamp": <payment time>}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from uzart import clock
from uzart.accounts.models import Company
from uzart.billing.errors import IdempotencyConflict
from uzart.billing.models import LedgerEntry
from uzart.billing.money import MAX_AMOUNT
from uzart.billing.services import ledger_topup_from_provider

TOLERANCE_SECONDS = 300
SIGNATURE_PREFIX = "sha256="
_PAYMENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")
_INN = re.compile(r"^[0-9]{14}$")


class WebhookRejected(Exception):
    """A notification refused before anything was written; becomes a JSON problem response."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class PaymentNotification:
    payment_id: str
    inn: str
    amount: int
    paid_at: dt.datetime


def webhook_sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Uzart-Signature value for ``body`` sent at ``timestamp`` (used by the provider and tests)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def webhook_authenticate(*, body: bytes, timestamp: str | None, signature: str | None) -> None:
    """Check the timestamp header is fresh and the signature matches, in constant time."""
    secret = getattr(settings, "PAYMENT_WEBHOOK_SECRET", "")
    if not secret:
        raise WebhookRejected(503, "webhook_disabled", "The payment webhook is not configured.")
    if not timestamp or not signature:
        raise WebhookRejected(
            401, "signature_missing", "The X-Uzart-Timestamp and X-Uzart-Signature headers are required."
        )
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise WebhookRejected(401, "timestamp_invalid", "X-Uzart-Timestamp must be Unix seconds.")
    age = abs(clock.now().timestamp() - int(timestamp))
    expected = webhook_sign(secret=secret, timestamp=timestamp, body=body)
    # Compare before looking at the age so timing does not tell a forger which check failed.
    matches = hmac.compare_digest(expected.encode(), signature.strip().lower().encode("latin-1", "replace"))
    if not matches:
        raise WebhookRejected(403, "signature_invalid", "The signature does not match.")
    if age > TOLERANCE_SECONDS:
        raise WebhookRejected(
            403, "timestamp_stale", f"The timestamp is more than {TOLERANCE_SECONDS} seconds away from now."
        )


def _paid_at(value: Any) -> dt.datetime:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**11:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(dt.UTC)
    raise WebhookRejected(
        400, "timestamp_field_invalid", "timestamp must be Unix seconds or ISO 8601 with a UTC offset."
    )


def webhook_parse(*, body: bytes) -> PaymentNotification:
    """Read and validate the JSON body."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WebhookRejected(400, "malformed_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise WebhookRejected(400, "malformed_json", "The body must be a JSON object.")
    missing = [name for name in ("payment_id", "inn", "amount_tyiyn", "timestamp") if name not in data]
    if missing:
        raise WebhookRejected(400, "field_missing", "Missing fields: " + ", ".join(missing) + ".")
    payment_id, inn, amount = data["payment_id"], data["inn"], data["amount_tyiyn"]
    if not isinstance(payment_id, str) or not _PAYMENT_ID.match(payment_id):
        raise WebhookRejected(
            400, "payment_id_invalid", "payment_id must be 1-100 characters of A-Z a-z 0-9 . _ : -"
        )
    if not isinstance(inn, str) or not _INN.match(inn):
        raise WebhookRejected(400, "inn_invalid", "inn must be a string of 14 digits.")
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise WebhookRejected(400, "amount_invalid", "amount_tyiyn must be an integer number of tyiyn.")
    if amount <= 0:
        raise WebhookRejected(400, "amount_not_positive", "amount_tyiyn must be greater than zero.")
    if amount > MAX_AMOUNT:
        raise WebhookRejected(400, "amount_too_large", "amount_tyiyn is too large.")
    return PaymentNotification(
        payment_id=payment_id, inn=inn, amount=amount, paid_at=_paid_at(data["timestamp"])
    )


def webhook_payment_receive(
    *, body: bytes, timestamp: str | None, signature: str | None
) -> tuple[LedgerEntry, bool]:
    """Authenticate, parse and credit one notification; return (entry, was_new). Raises WebhookRejected."""
    webhook_authenticate(body=body, timestamp=timestamp, signature=signature)
    notification = webhook_parse(body=body)
    company = Company.objects.filter(inn=notification.inn).first()
    if company is None:
        raise WebhookRejected(400, "unknown_inn", "No company with this INN is registered.")
    try:
        return ledger_topup_from_provider(
            company=company,
            payment_id=notification.payment_id,
            amount=notification.amount,
            paid_at=notification.paid_at,
        )
    except IdempotencyConflict:
        raise WebhookRejected(
            409, "payment_id_conflict", "This payment_id was already received with a different body."
        ) from None
