"""A digest computed elsewhere (CSC signHash) is signed like key_sign signs data, under the same PIN rules."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from tests.keystore.conftest import PIN, WRONG_PIN
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import MAX_PIN_ATTEMPTS, KeyLocked, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_public, key_sign_digest

DOCUMENT = "Годовой отчёт ОсОО «Тоо Булак» за 2026 год".encode()
DIGEST = hashlib.sha256(DOCUMENT).digest()


def _verify(public_key, signature: bytes, data: bytes) -> None:  # type: ignore[no-untyped-def]
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-2048"])
def test_a_signed_digest_verifies_as_a_signature_of_the_data_it_was_computed_from(
    make_key, keystore_backend, algorithm
):
    key = make_key(algorithm)

    signature = key_sign_digest(key=key, pin=PIN, digest=DIGEST)

    _verify(key_public(key=key), signature, DOCUMENT)


def test_signing_a_digest_is_audited_with_the_digest_and_nothing_secret(make_key):
    key = make_key()

    key_sign_digest(key=key, pin=PIN, digest=DIGEST)

    event = AuditEvent.objects.get(action="key.sign", target_id=str(key.pk))
    assert event.data == {"data_sha256": DIGEST.hex(), "algorithm": "ec-p256", "prehashed": True}
    assert PIN not in str(event.data)


def test_a_wrong_pin_counts_and_the_fifth_locks_the_key_for_digests_too(make_key, keystore_backend):
    key = make_key()

    for attempt in range(1, MAX_PIN_ATTEMPTS):
        with pytest.raises(WrongPin) as wrong:
            key_sign_digest(key=key, pin=WRONG_PIN, digest=DIGEST)
        assert wrong.value.attempts_left == MAX_PIN_ATTEMPTS - attempt
    with pytest.raises(KeyLocked):
        key_sign_digest(key=key, pin=WRONG_PIN, digest=DIGEST)
    with pytest.raises(KeyLocked):
        key_sign_digest(key=key, pin=PIN, digest=DIGEST)  # the right PIN no longer helps

    stored = CloudKey.objects.get(pk=key.pk)
    assert stored.is_locked
    assert stored.failed_attempts == MAX_PIN_ATTEMPTS


def test_a_right_pin_resets_the_wrong_attempt_counter(make_key):
    key = make_key()
    with pytest.raises(WrongPin):
        key_sign_digest(key=key, pin=WRONG_PIN, digest=DIGEST)

    key_sign_digest(key=key, pin=PIN, digest=DIGEST)

    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 0


@pytest.mark.parametrize("length", [0, 20, 31, 33, 64])
def test_anything_but_a_32_byte_digest_is_refused_before_the_key_is_touched(make_key, length):
    key = make_key()

    with pytest.raises(ValueError, match="32 bytes"):
        key_sign_digest(key=key, pin=WRONG_PIN, digest=bytes(length))

    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 0
