"""A holder changes the PIN with the old one; a new PIN must be 6 to 12 digits, said in ky, ru and en."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.keystore.conftest import PIN, WRONG_PIN
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import InvalidPin, KeyLocked, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_change_pin, key_generate, key_sign, key_verify_pin

NEW_PIN = "11223344"
BAD_PINS = ["12345", "1234567890123", "12a456", "123 456", " 123456", "١٢٣٤٥٦", "", "+123456"]

INVALID_PIN_TEXT = {
    "en": "The PIN must consist of 6 to 12 digits, and nothing else.",
    "ru": "PIN-код должен состоять из 6–12 цифр и ничего больше.",
    "ky": "PIN-код 6–12 сандан гана турушу керек.",
}


def test_the_pin_changes_with_the_old_pin_and_only_the_new_one_opens_the_key_afterwards(make_key):
    key = make_key()

    key_change_pin(key=key, old_pin=PIN, new_pin=NEW_PIN)

    assert key_sign(key=key, pin=NEW_PIN, data=b"x")
    with pytest.raises(WrongPin):
        key_verify_pin(key=key, pin=PIN)
    assert AuditEvent.objects.filter(action="key.change_pin", target_id=str(key.pk)).count() == 1


def test_a_wrong_old_pin_counts_as_an_attempt_and_changes_nothing(make_key):
    key = make_key()

    with pytest.raises(WrongPin) as error:
        key_change_pin(key=key, old_pin=WRONG_PIN, new_pin=NEW_PIN)

    assert error.value.attempts_left == 4
    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 1
    key_verify_pin(key=key, pin=PIN)
    assert not AuditEvent.objects.filter(action="key.change_pin").exists()


def test_a_locked_key_refuses_a_pin_change_even_with_the_right_old_pin(make_key):
    key = make_key()
    for _ in range(5):
        with pytest.raises((WrongPin, KeyLocked)):
            key_verify_pin(key=key, pin=WRONG_PIN)
    with pytest.raises(KeyLocked):
        key_change_pin(key=key, old_pin=PIN, new_pin=NEW_PIN)


@pytest.mark.parametrize("bad", BAD_PINS)
def test_a_badly_formed_new_pin_is_refused_before_the_old_one_is_tried(make_key, bad):
    key = make_key()

    with pytest.raises(InvalidPin):
        key_change_pin(key=key, old_pin=WRONG_PIN, new_pin=bad)

    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 0  # no attempt was spent
    key_verify_pin(key=key, pin=PIN)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["12345", "abcdef"])
def test_a_new_key_needs_a_well_formed_pin_too(owner, bad):
    with pytest.raises(InvalidPin):
        key_generate(owner=owner, pin=bad, label="EDS")
    assert not CloudKey.objects.exists()


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_the_pin_rule_message_is_translated(make_key, language):
    key = make_key()
    with pytest.raises(InvalidPin) as error, translation.override(language):
        key_change_pin(key=key, old_pin=PIN, new_pin="12ab")
    with translation.override(language):
        assert str(error.value) == INVALID_PIN_TEXT[language]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", ["Неверный PIN-код. Осталось 4 попытки.", "Неверный PIN-код. Осталась 1 попытка."]),
        ("ky", ["PIN-код туура эмес. 4 аракет калды.", "PIN-код туура эмес. 1 аракет калды."]),
    ],
)
def test_wrong_pin_and_locked_messages_are_translated(make_key, language, expected):
    key = make_key()
    messages = []
    with translation.override(language):
        for _ in range(5):
            with pytest.raises((WrongPin, KeyLocked)) as error:
                key_verify_pin(key=key, pin=WRONG_PIN)
            messages.append(str(error.value))
    assert [messages[0], messages[3]] == expected
    assert "5" in messages[4]
    assert messages[4] != "Your EDS key is locked after 5 wrong PINs. Contact the operator to unlock it."
