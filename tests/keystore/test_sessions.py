"""Key sessions: one PIN check (one Argon2id run) for several audited signatures, only inside the block."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from tests.factories import holder
from tests.keystore.conftest import PIN, WRONG_PIN
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import KeyLocked, WrongPin
from uzart.keystore.models import CloudKey, SealedKey
from uzart.keystore.sealing import PinMismatch, associated_data, load_kek, unseal
from uzart.keystore.services import (
    KeySessionClosed,
    key_generate_session,
    key_public,
    key_session,
    key_sign,
    key_verify_pin,
)
from uzart.pki.keysigner import keystore_signer

DOCUMENTS = [b"request", "заявка".encode(), b"csr tbs bytes"]


def _verify(key: CloudKey, signature: bytes, data: bytes) -> None:
    public_key = key_public(key=key)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def _signed_digests(key: CloudKey) -> list[str]:
    events = AuditEvent.objects.filter(action="key.sign", target_id=str(key.pk)).order_by("pk")
    return [event.data["data_sha256"] for event in events]


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-2048"])
def test_a_session_checks_the_pin_once_and_each_signature_is_one_audited_key_sign(
    make_key, keystore_probe, algorithm
):
    key = make_key(algorithm)
    keystore_probe.reset()

    with key_session(key=key, pin=PIN) as session:
        signatures = [session.sign(document) for document in DOCUMENTS]

    assert keystore_probe.kdf_runs == 1
    assert keystore_probe.opened == [key.key_ref]
    for document, signature in zip(DOCUMENTS, signatures, strict=True):
        _verify(key, signature, document)
    assert _signed_digests(key) == [hashlib.sha256(d).hexdigest() for d in DOCUMENTS]
    assert session.signatures == 3


def test_nothing_is_kept_between_sessions_each_one_checks_the_pin_again(make_key, keystore_probe):
    key = make_key()
    keystore_probe.reset()

    for _ in range(2):
        with key_session(key=key, pin=PIN) as session:
            session.sign(b"x")

    assert keystore_probe.kdf_runs == 2
    assert keystore_probe.opened == [key.key_ref, key.key_ref]


def test_a_wrong_pin_opens_no_session_and_the_try_is_counted_and_audited(make_key):
    key = make_key()
    entered = False

    with pytest.raises(WrongPin) as error, key_session(key=key, pin=WRONG_PIN):
        entered = True

    assert not entered
    assert error.value.attempts_left == 4
    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 1
    assert key.failed_attempts == 1
    assert AuditEvent.objects.filter(action="key.pin_failed", target_id=str(key.pk)).count() == 1
    assert not _signed_digests(key)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_pin_at_session_start_is_committed_before_the_error_is_raised(keystore_backend):
    from uzart.keystore.services import key_generate

    key = key_generate(owner=holder(), pin=PIN, label="EDS", backend=keystore_backend)

    with pytest.raises(WrongPin), key_session(key=key, pin=WRONG_PIN):
        pass

    # No test transaction wraps this test: what is read here was committed.
    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 1


def test_the_right_pin_at_session_start_resets_the_counter(make_key):
    key = make_key()
    for _ in range(3):
        with pytest.raises(WrongPin):
            key_verify_pin(key=key, pin=WRONG_PIN)

    with key_session(key=key, pin=PIN) as session:
        session.sign(b"x")

    assert CloudKey.objects.get(pk=key.pk).failed_attempts == 0


def test_a_locked_key_opens_no_session_even_with_the_right_pin(make_key):
    key = make_key()
    for _ in range(4):
        with pytest.raises(WrongPin):
            key_verify_pin(key=key, pin=WRONG_PIN)
    with pytest.raises(KeyLocked), key_session(key=key, pin=WRONG_PIN):
        pass

    with pytest.raises(KeyLocked), key_session(key=key, pin=PIN):
        pass

    stored = CloudKey.objects.get(pk=key.pk)
    assert stored.is_locked and stored.failed_attempts == 5
    assert AuditEvent.objects.filter(action="key.locked", target_id=str(key.pk)).count() == 1
    assert not _signed_digests(key)


def test_a_key_locked_while_a_session_is_open_signs_no_more(make_key):
    key = make_key()

    with key_session(key=key, pin=PIN) as session:
        session.sign(b"before")
        for _ in range(5):
            with pytest.raises((WrongPin, KeyLocked)):
                key_verify_pin(key=CloudKey.objects.get(pk=key.pk), pin=WRONG_PIN)
        with pytest.raises(KeyLocked):
            session.sign(b"after")

    assert _signed_digests(key) == [hashlib.sha256(b"before").hexdigest()]


def test_a_session_refuses_to_sign_after_its_block_and_drops_what_it_opened(make_key):
    key = make_key()

    with key_session(key=key, pin=PIN) as session:
        opened = session._opened
        signer = keystore_signer(session=session)
        assert opened is not None and not opened.closed
        assert session.active

    assert not session.active
    assert opened.closed
    assert vars(opened).get("_private_key") is None  # the unsealed key of the database backend is gone
    assert vars(opened).get("_derived") is None
    assert vars(opened).get("_pin_record") is None  # the PKCS#11 backend forgets the checked verifier
    with pytest.raises(KeySessionClosed):
        session.sign(b"late")
    with pytest.raises(KeySessionClosed):
        session.sign_digest(hashlib.sha256(b"late").digest())
    with pytest.raises(KeySessionClosed):
        signer.sign(b"late", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(RuntimeError):
        opened.sign(b"late")
    assert not _signed_digests(key)


def test_a_session_ends_when_its_block_raises(make_key):
    key = make_key()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), key_session(key=key, pin=PIN) as session:
        raise Boom

    assert not session.active
    with pytest.raises(KeySessionClosed):
        session.sign(b"x")


def test_session_digest_signatures_match_key_sign_digest_audit(make_key):
    key = make_key()
    digest = hashlib.sha256(b"csc hash").digest()

    with key_session(key=key, pin=PIN) as session:
        signature = session.sign_digest(digest)
        with pytest.raises(ValueError):
            session.sign_digest(b"short")

    _verify(key, signature, b"csc hash")
    event = AuditEvent.objects.get(action="key.sign", target_id=str(key.pk))
    assert event.data == {"data_sha256": digest.hex(), "algorithm": key.algorithm, "prehashed": True}


def test_the_pin_is_not_shown_by_a_session_or_what_it_opened(make_key):
    key = make_key()

    with key_session(key=key, pin=PIN) as session:
        shown = f"{session!r} {session._opened!r} {vars(session._opened)!r}"

    assert PIN not in shown
    assert "material" not in shown  # a DerivedPin shows its cost only


# --- a new key, signed with before it is ever unsealed --------------------------------------------------


def test_a_generated_key_signs_inside_its_session_without_being_unsealed(
    owner, keystore_backend, keystore_probe
):
    with key_generate_session(owner=owner, pin=PIN, label="new EDS", backend=keystore_backend) as session:
        signature = session.sign(b"csr")
    key = session.key

    assert keystore_probe.kdf_runs == 1  # sealing the new key (or making its PIN verifier)
    assert keystore_probe.opened == []
    _verify(key, signature, b"csr")
    assert AuditEvent.objects.filter(action="key.generate", target_id=str(key.pk)).count() == 1
    assert _signed_digests(key) == [hashlib.sha256(b"csr").hexdigest()]
    # Afterwards the key opens with its PIN only.
    assert key_sign(key=key, pin=PIN, data=b"later")
    with pytest.raises(WrongPin):
        key_verify_pin(key=key, pin=WRONG_PIN)


def test_a_generated_key_is_not_kept_when_its_block_fails(owner, keystore_backend):
    keys_before = CloudKey.objects.count()
    sealed_before = SealedKey.objects.count()

    class Boom(Exception):
        pass

    with (
        pytest.raises(Boom),
        key_generate_session(owner=owner, pin=PIN, label="new EDS", backend=keystore_backend) as session,
    ):
        ref = session.key.key_ref
        raise Boom

    assert CloudKey.objects.count() == keys_before
    assert SealedKey.objects.count() == sealed_before
    assert not AuditEvent.objects.filter(action="key.generate", target_id=str(session.key.pk)).exists()
    if keystore_backend == "hsm":
        from uzart.keystore.backends import get_backend

        def count(token_session):  # type: ignore[no-untyped-def]
            from pkcs11 import Attribute

            return len(list(token_session.get_objects({Attribute.ID: bytes.fromhex(ref)})))

        assert get_backend("hsm").session.run(count) == 0


def test_a_new_key_sealed_with_the_old_sessions_pin_material_costs_no_more_argon2id(
    make_key, owner, keystore_backend, keystore_probe
):
    old = make_key()
    keystore_probe.reset()

    with key_session(key=old, pin=PIN) as old_session:
        with key_generate_session(
            owner=owner, pin=PIN, label="renewed EDS", backend=keystore_backend, same_pin_as=old_session
        ) as new_session:
            csr_signature = new_session.sign(b"csr")
        old_session.sign(b"request pdf")
    new = new_session.key

    assert keystore_probe.kdf_runs == 1  # the old key's PIN check, nothing else
    assert keystore_probe.opened == [old.key_ref]
    _verify(new, csr_signature, b"csr")
    assert len(_signed_digests(new)) == 1 and len(_signed_digests(old)) == 1
    # The new key is protected by the PIN like any other: it opens with the PIN, not with another one.
    assert key_sign(key=new, pin=PIN, data=b"x")
    with pytest.raises(WrongPin):
        key_verify_pin(key=new, pin=WRONG_PIN)


def test_reused_pin_material_keeps_the_kek_and_the_row_binding(owner, settings, keystore_probe):
    settings.KEYSTORE_BACKENDS = {
        "default": {"BACKEND": "uzart.keystore.backends.encrypted_db.EncryptedDatabaseBackend", "OPTIONS": {}}
    }
    from uzart.keystore.services import key_generate

    old = key_generate(owner=owner, pin=PIN, label="EDS")
    with (
        key_session(key=old, pin=PIN) as old_session,
        key_generate_session(owner=owner, pin=PIN, label="renewed", same_pin_as=old_session) as new_session,
    ):
        pass
    new = new_session.key
    old_row = SealedKey.objects.get(ref=uuid.UUID(old.key_ref))
    new_row = SealedKey.objects.get(ref=uuid.UUID(new.key_ref))
    from uzart.keystore.backends.encrypted_db import sealed_of

    # Same salt and cost (that is the reuse), a fresh nonce, another ciphertext.
    assert bytes(new_row.salt) == bytes(old_row.salt)
    assert (new_row.kdf_time_cost, new_row.kdf_memory_cost) == (
        old_row.kdf_time_cost,
        old_row.kdf_memory_cost,
    )
    assert bytes(new_row.nonce) != bytes(old_row.nonce)
    kek = load_kek()
    # The PIN and the KEK together open it; the PIN with another KEK does not.
    assert unseal(sealed=sealed_of(new_row), pin=PIN, kek=kek, ref=new_row.ref, algorithm=new_row.algorithm)
    with pytest.raises(PinMismatch):
        unseal(
            sealed=sealed_of(new_row), pin=PIN, kek=bytes(32), ref=new_row.ref, algorithm=new_row.algorithm
        )
    # The blob is bound to its own row: read as the old row's (or the old blob as the new row's), it fails.
    with pytest.raises(PinMismatch):
        unseal(sealed=sealed_of(new_row), pin=PIN, kek=kek, ref=old_row.ref, algorithm=old_row.algorithm)
    with pytest.raises(PinMismatch):
        unseal(sealed=sealed_of(old_row), pin=PIN, kek=kek, ref=new_row.ref, algorithm=new_row.algorithm)
    assert associated_data(new_row.ref, "ec-p256") != associated_data(old_row.ref, "ec-p256")


def test_pin_material_of_an_older_kdf_cost_is_not_reused_for_a_new_key(
    make_key, owner, keystore_backend, settings, keystore_probe
):
    old = make_key()
    settings.KEYSTORE_KDF = {"time_cost": 2, "memory_cost": 2048, "parallelism": 1}
    keystore_probe.reset()

    with (
        key_session(key=old, pin=PIN) as old_session,
        key_generate_session(
            owner=owner, pin=PIN, label="renewed", backend=keystore_backend, same_pin_as=old_session
        ) as new_session,
    ):
        new_session.sign(b"csr")
    new = new_session.key

    assert keystore_probe.kdf_runs == 2  # the old key's check, and a fresh derivation at today's cost
    if keystore_backend == "default":
        new_row = SealedKey.objects.get(ref=uuid.UUID(new.key_ref))
        old_row = SealedKey.objects.get(ref=uuid.UUID(old.key_ref))
        assert (new_row.kdf_time_cost, new_row.kdf_memory_cost) == (2, 2048)
        assert bytes(new_row.salt) != bytes(old_row.salt)
    else:
        assert new.pin_verifier != old.pin_verifier
        assert "m=2048,t=2,p=1" in new.pin_verifier
    assert key_sign(key=new, pin=PIN, data=b"x")


def test_pin_material_is_shared_only_between_one_owners_keys_and_one_pin(make_key, keystore_backend):
    old = make_key()
    stranger = holder()
    keys_before = CloudKey.objects.count()

    with key_session(key=old, pin=PIN) as old_session:
        with (
            pytest.raises(ValueError, match="same owner"),
            key_generate_session(
                owner=stranger, pin=PIN, label="x", backend=keystore_backend, same_pin_as=old_session
            ),
        ):
            pass
        with (
            pytest.raises(ValueError, match="PIN differs") as error,
            key_generate_session(
                owner=old.owner, pin="86420864", label="x", backend=keystore_backend, same_pin_as=old_session
            ),
        ):
            pass
    assert "86420864" not in str(error.value) and PIN not in str(error.value)
    with (
        pytest.raises(KeySessionClosed),
        key_generate_session(
            owner=old.owner, pin=PIN, label="x", backend=keystore_backend, same_pin_as=old_session
        ),
    ):
        pass
    assert CloudKey.objects.count() == keys_before
