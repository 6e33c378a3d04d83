"""The PIN never reaches logs, error messages or audit data."""

from __future__ import annotations

import logging

import pytest

from tests.keystore.conftest import PIN
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import KeyLocked, WrongPin
from uzart.keystore.services import key_change_pin, key_sign, key_verify_pin

GUESS = "975318642"  # a wrong PIN that cannot appear by chance in ids or timestamps
NEW_PIN = "86420864"


def test_pins_appear_in_no_log_record_error_or_audit_event(make_key, caplog):
    caplog.set_level(logging.DEBUG)
    key = make_key()
    errors = []

    key_sign(key=key, pin=PIN, data=b"document")
    for _ in range(2):
        with pytest.raises(WrongPin) as wrong:
            key_sign(key=key, pin=GUESS, data=b"document")
        errors.append(wrong.value)
    key_change_pin(key=key, old_pin=PIN, new_pin=NEW_PIN)
    for _ in range(5):
        with pytest.raises((WrongPin, KeyLocked)) as refused:
            key_verify_pin(key=key, pin=GUESS)
        errors.append(refused.value)

    assert caplog.records, "the keystore logs its events (at least the lock)"
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    audited = " ".join(
        f"{e.data} {e.target_repr} {e.actor_label}"
        for e in AuditEvent.objects.filter(action__startswith="key.")
    )
    assert AuditEvent.objects.filter(action="key.locked").exists()
    for secret in (PIN, GUESS, NEW_PIN):
        assert secret not in logged
        assert secret not in audited
        assert all(secret not in f"{error} {error.params} {error.args}" for error in errors)
