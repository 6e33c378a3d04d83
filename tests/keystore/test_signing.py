"""Keys are generated inside the keystore and sign SHA-256 of the data, verifiable with the public key."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests.keystore.conftest import PIN
from uzart.audit.models import AuditEvent
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_public, key_sign

DOCUMENT = "ЗАЯВЛЕНИЕ на продление срока действия ЭЦП".encode()


def _verify(public_key, signature: bytes, data: bytes) -> None:  # type: ignore[no-untyped-def]
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(
    ("algorithm", "key_type"),
    [("ec-p256", ec.EllipticCurvePublicKey), ("rsa-2048", rsa.RSAPublicKey)],
)
def test_generated_key_signs_and_the_signature_verifies_with_its_public_key(
    make_key, keystore_backend, algorithm, key_type
):
    key = make_key(algorithm)

    public_key = key_public(key=key)
    signature = key_sign(key=key, pin=PIN, data=DOCUMENT)

    assert isinstance(public_key, key_type)
    if algorithm == "ec-p256":
        assert isinstance(public_key.curve, ec.SECP256R1)
        assert signature[0] == 0x30  # DER SEQUENCE of r and s
    else:
        assert public_key.key_size == 2048
        assert len(signature) == 256
    _verify(public_key, signature, DOCUMENT)
    with pytest.raises(InvalidSignature):
        _verify(public_key, signature, DOCUMENT + b".")


def test_the_key_row_keeps_only_the_alias_and_reference_and_the_public_key(make_key, keystore_backend):
    key = make_key()
    stored = CloudKey.objects.get(pk=key.pk)

    assert stored.backend == keystore_backend
    assert stored.key_ref
    assert stored.purpose == "holder"
    assert stored.failed_attempts == 0
    assert not stored.is_locked
    assert stored.fingerprint == hashlib.sha256(bytes(stored.public_key_der)).hexdigest()


def test_generate_and_sign_are_audited_with_a_digest_of_the_data_not_the_data(make_key):
    key = make_key()
    key_sign(key=key, pin=PIN, data=DOCUMENT)

    generated = AuditEvent.objects.get(action="key.generate", target_id=str(key.pk))
    signed = AuditEvent.objects.get(action="key.sign", target_id=str(key.pk))
    assert generated.data["fingerprint"] == key.fingerprint
    assert generated.actor == key.owner
    assert signed.data == {"data_sha256": hashlib.sha256(DOCUMENT).hexdigest(), "algorithm": "ec-p256"}
    assert DOCUMENT.decode() not in str(signed.data)


def test_a_ca_key_has_no_owner(make_key):
    key = make_key(purpose="ca", owner=None)
    assert key.owner is None
    assert key.purpose == "ca"
    _verify(key_public(key=key), key_sign(key=key, pin=PIN, data=b"tbs"), b"tbs")


def test_a_holder_key_needs_an_owner(make_key):
    with pytest.raises(ValueError, match="owner"):
        make_key(owner=None)
