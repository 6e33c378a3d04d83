"""The audit log is hash-chained: `uzart audit verify` passes on an untouched log and fails after an edit."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import holder, specialist
from tests.pki.conftest import HOLDER_PIN
from uzart.audit.models import AuditEvent
from uzart.audit.services import SecretInAuditData, audit_record, audit_verify
from uzart.keystore.errors import KeyLocked, WrongPin
from uzart.keystore.services import key_generate, key_sign, key_unlock

pytestmark = pytest.mark.django_db


def _wrong_pin_five_times(key):
    for _ in range(4):
        with pytest.raises(WrongPin):
            key_sign(key=key, pin="000000", data=b"x")
    with pytest.raises(KeyLocked):
        key_sign(key=key, pin="000000", data=b"x")


def test_five_wrong_pins_lock_an_operator_unlocks_and_the_chain_then_breaks_on_an_edit(capsys):
    user = holder()
    key = key_generate(owner=user, pin=HOLDER_PIN, label="test")
    _wrong_pin_five_times(key)
    with pytest.raises(KeyLocked):
        key_sign(key=key, pin=HOLDER_PIN, data=b"x")
    key_unlock(key=key, actor=specialist())
    assert key_sign(key=key, pin=HOLDER_PIN, data=b"x")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("key.pin_failed") >= 4
    assert "key.locked" in actions and "key.unlock" in actions

    call_command("audit", "verify")
    assert "audit chain intact" in capsys.readouterr().out

    unlock = AuditEvent.objects.get(action="key.unlock")
    with connection.cursor() as cursor:  # an edit behind the application's back
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",
            ["key.nothing_happened", unlock.pk],
        )
    with pytest.raises(CommandError, match=f"audit chain broken at event {unlock.pk}"):
        call_command("audit", "verify")


def test_a_deleted_row_breaks_the_chain_at_the_next_one():
    for n in range(3):
        audit_record(actor=None, action=f"test.{n}", data={"n": n})
    middle = AuditEvent.objects.order_by("id")[1]
    AuditEvent.objects.filter(pk=middle.pk).delete()
    report = audit_verify()
    assert not report.ok and report.broken_at == middle.pk + 1


def test_secret_looking_data_is_refused():
    with pytest.raises(SecretInAuditData):
        audit_record(actor=None, action="test", data={"pin": "123456"})
    assert not AuditEvent.objects.exists()
