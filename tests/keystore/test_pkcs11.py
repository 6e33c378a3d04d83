"""PKCS#11 keys are made on the token as sensitive and non-extractable; the PIN verifier needs the token."""

from __future__ import annotations

import pkcs11
import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from pkcs11 import Attribute, ObjectClass
from pkcs11.exceptions import AttributeSensitive

from tests.keystore.conftest import PIN
from uzart.keystore.backends import get_backend
from uzart.keystore.backends.pkcs11 import PKCS11Backend
from uzart.keystore.services import key_generate, key_sign


@pytest.fixture
def hsm(settings, softhsm_token):  # type: ignore[no-untyped-def]
    settings.KEYSTORE_BACKENDS = {
        "hsm": {"BACKEND": "uzart.keystore.backends.pkcs11.PKCS11Backend", "OPTIONS": softhsm_token}
    }
    backend = get_backend("hsm")
    assert isinstance(backend, PKCS11Backend)
    return backend


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-2048"])
def test_the_private_key_on_the_token_is_sensitive_and_never_extractable(hsm, owner, algorithm):
    key = key_generate(owner=owner, pin=PIN, label="EDS", algorithm=algorithm, backend="hsm")

    attributes = hsm.key_attributes(key_ref=key.key_ref)

    assert attributes == {
        "SENSITIVE": True,
        "EXTRACTABLE": False,
        "ALWAYS_SENSITIVE": True,
        "NEVER_EXTRACTABLE": True,
    }

    def read_value(session):  # type: ignore[no-untyped-def]
        private = session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=bytes.fromhex(key.key_ref))
        return private[Attribute.PRIVATE_EXPONENT if algorithm == "rsa-2048" else Attribute.VALUE]

    with pytest.raises(AttributeSensitive):
        hsm.session.run(read_value)


def test_the_pin_verifier_cannot_be_checked_offline_without_the_token(hsm, owner):
    key = key_generate(owner=owner, pin=PIN, label="EDS", backend="hsm")
    prefix, _pepper_id, encoded = key.pin_verifier.split(":", 2)

    assert prefix == "hsm-hmac"
    assert encoded.startswith("$argon2id$")
    with pytest.raises(VerificationError):
        PasswordHasher().verify(encoded, PIN)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # stale search handle
def test_one_logged_in_session_per_token_is_shared_and_reopened_after_the_library_reloads(
    settings, softhsm_token, owner
):
    config = {"BACKEND": "uzart.keystore.backends.pkcs11.PKCS11Backend", "OPTIONS": softhsm_token}
    settings.KEYSTORE_BACKENDS = {"default": config, "hsm": config}
    first, second = get_backend("default"), get_backend("hsm")
    assert isinstance(first, PKCS11Backend)
    assert isinstance(second, PKCS11Backend)
    assert first.session is second.session
    key = key_generate(owner=owner, pin=PIN, label="EDS", backend="hsm")

    pkcs11.lib(softhsm_token["module"]).reinitialize()  # every open session handle becomes invalid

    assert key_sign(key=key, pin=PIN, data=b"after reload")


def test_destroy_removes_both_halves_of_the_pair_from_the_token(hsm, owner):
    key = key_generate(owner=owner, pin=PIN, label="EDS", backend="hsm")

    hsm.destroy(key_ref=key.key_ref)

    def count(session):  # type: ignore[no-untyped-def]
        return len(list(session.get_objects({Attribute.ID: bytes.fromhex(key.key_ref)})))

    assert hsm.session.run(count) == 0
