"""Writes on cloud keys: generate, sign, check and change the PIN, unlock.

PIN attempts (``key_sign``, ``key_sign_digest``, ``key_verify_pin``, ``key_change_pin``) commit their own outcome: the
attempt counter is updated in an atomic block that is left *before* ``WrongPin`` or ``KeyLocked`` is
raised. Callers must therefore not call them inside an outer ``transaction.atomic()`` that the error
would roll back; otherwise the wrong try is not counted. Verify the PIN (or sign) first, then open
the transaction that debits, stores and enqueues.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.db import transaction

from uzart import clock
from uzart.accounts.models import User
from uzart.audit.services import audit_record
from uzart.errors import PermissionDenied, UzartError
from uzart.keystore.backends import KeystoreBackend, get_backend
from uzart.keystore.errors import MAX_PIN_ATTEMPTS, KeyLocked, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.pins import pin_validate
from uzart.keystore.sealing import PinMismatch

logger = logging.getLogger(__name__)

T = TypeVar("T")


@transaction.atomic
def key_generate(
    *,
    owner: User | None,
    pin: str,
    label: str,
    algorithm: str = "ec-p256",
    purpose: str = "holder",
    backend: str = "default",
    actor: User | None = None,
) -> CloudKey:
    """Generate a key pair inside the keystore under ``pin``; the private key is never exported."""
    pin_validate(pin)
    if algorithm not in CloudKey.Algorithm.values:
        raise ValueError(f"unsupported algorithm {algorithm!r}")
    if purpose not in CloudKey.Purpose.values:
        raise ValueError(f"unknown key purpose {purpose!r}")
    if purpose == CloudKey.Purpose.HOLDER and owner is None:
        raise ValueError("a holder key needs an owner")
    store = get_backend(backend)
    generated = store.generate(algorithm=algorithm, pin=pin, label=label)
    try:
        key = CloudKey.objects.create(
            owner=owner,
            purpose=purpose,
            label=label,
            backend=backend,
            key_ref=generated.key_ref,
            algorithm=algorithm,
            public_key_der=generated.public_key_der,
            pin_verifier=generated.pin_record,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor or owner,
            action="key.generate",
            target=key,
            data={
                "algorithm": algorithm,
                "backend": backend,
                "purpose": purpose,
                "fingerprint": key.fingerprint,
            },
        )
    except BaseException:
        store.destroy(key_ref=generated.key_ref)  # do not leave an orphan on a token
        raise
    logger.info("generated %s key %s in keystore %r", algorithm, key.pk, backend)
    return key


def _with_pin(
    *,
    key: CloudKey,
    actor: User | None,
    use: Callable[[KeystoreBackend, CloudKey], T],
    on_success: Callable[[CloudKey, T], None],
) -> T:
    """Run ``use`` with the key row locked; count a wrong PIN durably, raise only after committing it."""
    error: UzartError | None = None
    result: T | None = None
    with transaction.atomic():
        row = CloudKey.objects.select_for_update().get(pk=key.pk)
        if row.is_locked:
            error = KeyLocked()
        else:
            try:
                result = use(get_backend(row.backend), row)
            except PinMismatch:
                error = _pin_failure(row=row, actor=actor)
            else:
                if row.failed_attempts:
                    row.failed_attempts = 0
                    row.save(update_fields=["failed_attempts"])
                on_success(row, result)
        key.failed_attempts, key.locked_at, key.pin_verifier = (
            row.failed_attempts,
            row.locked_at,
            row.pin_verifier,
        )
    if error is not None:
        raise error
    return result  # type: ignore[return-value]


def _pin_failure(*, row: CloudKey, actor: User | None) -> UzartError:
    """Count one wrong PIN on the locked row, lock at the limit; return the error to raise afterwards."""
    row.failed_attempts += 1
    left = max(MAX_PIN_ATTEMPTS - row.failed_attempts, 0)
    who = actor or row.owner
    audit_record(
        actor=who,
        action="key.pin_failed",
        target=row,
        data={"failed_attempts": row.failed_attempts, "attempts_left": left},
    )
    if left == 0:
        row.locked_at = clock.now()
        row.save(update_fields=["failed_attempts", "locked_at"])
        audit_record(
            actor=who, action="key.locked", target=row, data={"failed_attempts": row.failed_attempts}
        )
        logger.warning("cloud key %s locked after %d wrong PINs", row.pk, row.failed_attempts)
        return KeyLocked()
    row.save(update_fields=["failed_attempts"])
    logger.info("wrong PIN for cloud key %s (%d attempts left)", row.pk, left)
    return WrongPin(attempts_left=left)


def key_sign(*, key: CloudKey, pin: str, data: bytes, actor: User | None = None) -> bytes:
    """Sign SHA-256(data) with the key after checking the PIN; a wrong PIN is counted and committed."""
    digest = hashlib.sha256(data).hexdigest()

    def use(store: KeystoreBackend, row: CloudKey) -> bytes:
        return store.sign(
            key_ref=row.key_ref, pin=pin, pin_record=row.pin_verifier, data=data, algorithm=row.algorithm
        )

    def audit(row: CloudKey, signature: bytes) -> None:
        audit_record(
            actor=actor or row.owner,
            action="key.sign",
            target=row,
            data={"data_sha256": digest, "algorithm": row.algorithm},
        )

    return _with_pin(key=key, actor=actor, use=use, on_success=audit)


def key_sign_digest(*, key: CloudKey, pin: str, digest: bytes, actor: User | None = None) -> bytes:
    """Sign a SHA-256 digest the caller computed (CSC signHash), with key_sign's PIN counting and audit."""
    if len(digest) != hashlib.sha256().digest_size:
        raise ValueError("a SHA-256 digest is 32 bytes long")

    def use(store: KeystoreBackend, row: CloudKey) -> bytes:
        return store.sign_digest(
            key_ref=row.key_ref, pin=pin, pin_record=row.pin_verifier, digest=digest, algorithm=row.algorithm
        )

    def audit(row: CloudKey, signature: bytes) -> None:
        audit_record(
            actor=actor or row.owner,
            action="key.sign",
            target=row,
            data={"data_sha256": digest.hex(), "algorithm": row.algorithm, "prehashed": True},
        )

    return _with_pin(key=key, actor=actor, use=use, on_success=audit)


def key_verify_pin(*, key: CloudKey, pin: str, actor: User | None = None) -> None:
    """Check the PIN with the same counting and locking as signing, without signing anything."""

    def use(store: KeystoreBackend, row: CloudKey) -> None:
        store.verify_pin(key_ref=row.key_ref, pin=pin, pin_record=row.pin_verifier, algorithm=row.algorithm)

    _with_pin(key=key, actor=actor, use=use, on_success=lambda row, _: None)


def key_change_pin(*, key: CloudKey, old_pin: str, new_pin: str, actor: User | None = None) -> None:
    """Protect the key with a new PIN; the old PIN is required and a wrong one counts as an attempt."""
    pin_validate(new_pin)

    def use(store: KeystoreBackend, row: CloudKey) -> str:
        return store.change_pin(
            key_ref=row.key_ref,
            old_pin=old_pin,
            new_pin=new_pin,
            pin_record=row.pin_verifier,
            algorithm=row.algorithm,
        )

    def save(row: CloudKey, pin_record: str) -> None:
        row.pin_verifier = pin_record
        row.save(update_fields=["pin_verifier"])
        audit_record(actor=actor or row.owner, action="key.change_pin", target=row, data={})

    _with_pin(key=key, actor=actor, use=use, on_success=save)


@transaction.atomic
def key_unlock(*, key: CloudKey, actor: User) -> None:
    """Unlock a key after wrong PINs and reset its counter; operator staff only."""
    if actor is None or not getattr(actor, "is_operator", False):
        raise PermissionDenied()
    row = CloudKey.objects.select_for_update().get(pk=key.pk)
    if not row.is_locked and row.failed_attempts == 0:
        return
    previous = row.failed_attempts
    row.failed_attempts = 0
    row.locked_at = None
    row.save(update_fields=["failed_attempts", "locked_at"])
    audit_record(actor=actor, action="key.unlock", target=row, data={"failed_attempts_before": previous})
    key.failed_attempts, key.locked_at = 0, None
    logger.info("cloud key %s unlocked by user %s", row.pk, actor.pk)


def key_public(*, key: CloudKey) -> PublicKeyTypes:
    """The key's public key as a ``cryptography`` object."""
    return load_der_public_key(bytes(key.public_key_der))
