"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from uzart import clock
from uzart.audit.models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x757A6172  # "uzar": serialises appends to the chain on PostgreSQL
_SECRET_WORDS = ("pin", "password", "secret", "token", "private", "kek", "passphrase")


class SecretInAuditData(ValueError):
    """Raised when a caller tries to put something secret-looking into audit data."""


def _check_no_secrets(data: dict[str, Any]) -> None:
    for key, value in data.items():
        lowered = key.lower()
        if any(word in lowered for word in _SECRET_WORDS) and not lowered.endswith(("_id", "_fingerprint")):
            raise SecretInAuditData(f"audit data must not carry secrets (key {key!r})")
        if isinstance(value, dict):
            _check_no_secrets(value)


def _digest(event: AuditEvent) -> str:
    body = {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit_chain_lock() -> None:
    """Take the lock that serialises appends to the chain, until the transaction ends (PostgreSQL).

    A service that locks other rows and then audits takes this first, so every writer takes the locks
    in the same order. SQLite serialises writers anyway (BEGIN IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event to the chain, inside the caller's transaction."""
    data = dict(data or {})
    _check_no_secrets(data)
    with transaction.atomic():
        audit_chain_lock()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        actor_obj = actor if getattr(actor, "pk", None) else None
        event = AuditEvent(
            at=clock.now(),
            actor=actor_obj,
            actor_label=str(
                getattr(actor_obj, "email", "") or (actor if isinstance(actor, str) else "system")
            ),
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_repr=str(target)[:255] if target is not None else "",
            data=json.loads(json.dumps(data, default=str)),
            prev_hash=last or GENESIS,
        )
        event.hash = _digest(event)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify() -> ChainReport:
    """Recompute every hash in order; report the first row that does not match."""
    expected_prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, "previous hash does not match the row before")
        if _digest(event) != event.hash:
            return ChainReport(checked, event.pk, "row content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return ChainReport(checked, None)
