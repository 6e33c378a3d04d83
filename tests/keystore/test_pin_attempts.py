"""Wrong PINs are counted durably, five lock the key, and only operator staff can unlock it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.factories import holder, operator_admin, specialist
from tests.keystore.conftest import PIN, WRONG_PIN
from uzart.audit.models import AuditEvent
from uzart.errors import PermissionDenied
from uzart.keystore.errors import KeyLocked, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_sign, key_unlock, key_verify_pin


def _events(key: CloudKey, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_id=str(key.pk)))


def test_a_wrong_pin_is_counted_in_the_database_and_tells_the_attempts_left(make_key):
    key = make_key()

    with pytest.raises(WrongPin) as first:
        key_sign(key=key, pin=WRONG_PIN, data=b"x")
    with pytest.raises(WrongPin) as second:
        key_verify_pin(key=key, pin=WRONG_PIN)

    assert (first.value.attempts_left, second.value.attempts_left) == (4, 3)
    assert str(second.value) == "Wrong PIN. 3 attempts left."
    # The count was committed inside the test's transaction, not rolled back with the error.
    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 2
    assert key.failed_attempts == 2
    assert [e.data for e in _events(key, "key.pin_failed")] == [
        {"failed_attempts": 1, "attempts_left": 4},
        {"failed_attempts": 2, "attempts_left": 3},
    ]


def test_the_right_pin_resets_the_counter(make_key):
    key = make_key()
    for _ in range(4):
        with pytest.raises(WrongPin):
            key_verify_pin(key=key, pin=WRONG_PIN)

    key_verify_pin(key=key, pin=PIN)

    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 0
    with pytest.raises(WrongPin) as error:
        key_sign(key=key, pin=WRONG_PIN, data=b"x")
    assert error.value.attempts_left == 4


def test_five_wrong_pins_lock_the_key_and_then_even_the_right_pin_is_refused(make_key):
    key = make_key()
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as error:
            key_sign(key=key, pin=WRONG_PIN, data=b"x")
        assert error.value.attempts_left == left

    with pytest.raises(KeyLocked) as fifth:
        key_sign(key=key, pin=WRONG_PIN, data=b"x")
    with pytest.raises(KeyLocked):
        key_sign(key=key, pin=PIN, data=b"x")
    with pytest.raises(KeyLocked):
        key_verify_pin(key=key, pin=PIN)

    assert str(fifth.value) == "Your EDS key is locked after 5 wrong PINs. Contact the operator to unlock it."
    stored = CloudKey.objects.get(pk=key.pk)
    assert stored.is_locked
    assert stored.failed_attempts == 5
    assert len(_events(key, "key.pin_failed")) == 5
    assert len(_events(key, "key.locked")) == 1
    assert not _events(key, "key.sign")


@pytest.mark.parametrize("make_operator", [specialist, operator_admin])
def test_an_operator_unlocks_a_locked_key_and_it_signs_again(make_key, make_operator):
    key = make_key()
    for _ in range(5):
        with pytest.raises((WrongPin, KeyLocked)):
            key_verify_pin(key=key, pin=WRONG_PIN)
    operator = make_operator()

    key_unlock(key=key, actor=operator)

    stored = CloudKey.objects.get(pk=key.pk)
    assert (stored.is_locked, stored.failed_attempts) == (False, 0)
    assert key_sign(key=stored, pin=PIN, data=b"x")
    (unlock,) = _events(key, "key.unlock")
    assert unlock.actor == operator
    assert unlock.data == {"failed_attempts_before": 5}


def test_a_holder_cannot_unlock_even_their_own_key(make_key, owner):
    key = make_key()
    for _ in range(5):
        with pytest.raises((WrongPin, KeyLocked)):
            key_verify_pin(key=key, pin=WRONG_PIN)

    for not_operator in (owner, holder(), specialist(is_active=False)):
        with pytest.raises(PermissionDenied):
            key_unlock(key=key, actor=not_operator)

    assert CloudKey.objects.get(pk=key.pk).is_locked
    assert not _events(key, "key.unlock")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_cannot_get_more_than_five_guesses(keystore_backend):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from uzart.keystore.services import key_generate

    key = key_generate(owner=holder(), pin=PIN, label="race", backend=keystore_backend)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def guess() -> None:
        barrier.wait()
        try:
            key_verify_pin(key=CloudKey.objects.get(pk=key.pk), pin=WRONG_PIN)
        except (WrongPin, KeyLocked) as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["KeyLocked"] * 4 + ["WrongPin"] * 4
    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 5
    assert len(_events(key, "key.pin_failed")) == 5
