"""Writes on cloud keys: generate, sign, check and change the PIN, unlock; key sessions.

PIN attempts (``key_sign``, ``key_sign_digest``, ``key_verify_pin``, ``key_change_pin``, ``key_session``) commit
their own outcome: the attempt counter is updated in an atomic block that is left *before* ``WrongPin`` or
``KeyLocked`` is raised. Callers must therefore not call them inside an outer ``transaction.atomic()`` that the
error would roll back; otherwise the wrong try is not counted. Verify the PIN (or sign) first, then open
the transaction that debits, stores and enqueues.

Key sessions
------------
The PIN KDF (Argon2id) is deliberately slow, so a flow that signs several times with one key checks the PIN
once: ``with key_session(key=..., pin=..., actor=...) as session:`` checks it under the key's row lock with
exactly ``key_sign``'s counting, locking and audit, then ``session.sign(data)`` signs as often as needed.
Every signature is still one audited ``key.sign`` event, and each re-reads the key row under its lock, so a
key locked meanwhile signs no more. What the backend opened (the unsealed private key and its Argon2id
output; for PKCS#11 the fact that the PIN was right) is held by the session object only, inside the
``with`` block: never in a module-level or backend cache, never across requests; the block's end drops it
and any later ``sign`` raises ``KeySessionClosed``. ``key_generate_session`` yields a session on a key it
has just generated, so the CSR of a new key is signed with the key in hand, with no unseal at all.

Sealing a new key with the old key's PIN material (``key_generate_session(same_pin_as=session)``)
-------------------------------------------------------------------------------------------------
At renewal the new key is protected by the same PIN that has just opened the holder's old key. The
encrypted-database backend then seals the new key with the Argon2id output (and so the salt and cost) of
the old key instead of running Argon2id again. We judged that this weakens nothing, for these reasons:

- Salt reuse. A salt stops one Argon2id run from testing a guess against many *different* secrets. Both
  rows are protected by the same holder's same PIN: whoever guesses it for one row has it for the other,
  so a shared salt gives an offline guesser nothing more. Keys of different holders never share a salt
  (the service requires the same owner and compares the two PINs with ``hmac.compare_digest``).
- KEK mixing is untouched: the AEAD key is still HKDF(Argon2id(PIN, salt) || KEK); neither a dump plus
  the KEK nor a dump plus the PIN opens the new row.
- AAD binding is untouched: the new ciphertext is bound to the new row's ref and algorithm. The two rows
  do share one AES-GCM key, but each blob has a fresh random 96-bit nonce and its own associated data: a
  blob moved to the other row fails its tag, and one key is safe for vastly more messages than one
  holder's chain of yearly renewals.
- Cost is never lowered: the material is reused only if the old row's Argon2id cost equals today's
  ``KEYSTORE_KDF`` and the same backend instance (so the same KEK) opened it; otherwise the new key is
  sealed with a fresh salt at today's cost, as ``key_generate`` does.
- The material is known to be right: it is the output that just passed the old key's GCM tag.
- A later PIN change of either key reseals it with a fresh salt; the rows are then independent.

The PKCS#11 backend applies the same reasoning to its PIN verifier (Argon2id over an HMAC of the PIN made
on the token): the new key gets a copy of the verifier that was just checked, if its cost is today's.
A remote renewal thus pays one Argon2id derivation (the old key's PIN check) instead of four.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
from collections.abc import Callable, Iterator
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.db import transaction

from uzart import clock
from uzart.accounts.models import User
from uzart.audit.services import audit_record
from uzart.errors import PermissionDenied, UzartError
from uzart.keystore.backends import KeystoreBackend, get_backend
from uzart.keystore.backends.base import OpenedKey
from uzart.keystore.errors import MAX_PIN_ATTEMPTS, KeyLocked, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.pins import pin_validate
from uzart.keystore.sealing import PinMismatch

logger = logging.getLogger(__name__)

T = TypeVar("T")


class KeySessionClosed(RuntimeError):
    """A key session was used after its ``with`` block ended (a programming error, not a user's)."""


class KeySession:
    """One cloud key whose PIN was checked once; signs (each an audited ``key.sign``) until its block ends.

    Made only by ``key_session`` and ``key_generate_session``; not for sharing between threads.
    """

    def __init__(self, *, key: CloudKey, opened: OpenedKey, pin: str, actor: User | None) -> None:
        self.key = key
        self._opened: OpenedKey | None = opened
        self._pin: str | None = pin
        self._actor = actor
        self.signatures = 0

    def __repr__(self) -> str:
        return f"<KeySession key={self.key.pk} {'open' if self.active else 'closed'}>"

    @property
    def active(self) -> bool:
        return self._opened is not None

    def _require_open(self) -> OpenedKey:
        if self._opened is None:
            raise KeySessionClosed("the key session has ended; open a new one with the PIN")
        return self._opened

    def _signed(self, *, sign: Callable[[OpenedKey], bytes], data: dict[str, object]) -> bytes:
        opened = self._require_open()
        locked = False
        signature = b""
        with transaction.atomic():
            row = CloudKey.objects.select_for_update().get(pk=self.key.pk)
            if row.is_locked:
                locked = True
            else:
                signature = sign(opened)
                audit_record(actor=self._actor or row.owner, action="key.sign", target=row, data=data)
        if locked:
            raise KeyLocked()
        self.signatures += 1
        return signature

    def sign(self, data: bytes) -> bytes:
        """Sign SHA-256(data) like ``key_sign``, without the PIN KDF."""
        digest = hashlib.sha256(data).hexdigest()
        return self._signed(
            sign=lambda opened: opened.sign(data),
            data={"data_sha256": digest, "algorithm": self.key.algorithm},
        )

    def sign_digest(self, digest: bytes) -> bytes:
        """Sign a SHA-256 digest like ``key_sign_digest``, without the PIN KDF."""
        if len(digest) != hashlib.sha256().digest_size:
            raise ValueError("a SHA-256 digest is 32 bytes long")
        return self._signed(
            sign=lambda opened: opened.sign_digest(digest),
            data={"data_sha256": digest.hex(), "algorithm": self.key.algorithm, "prehashed": True},
        )

    def has_pin(self, pin: str) -> bool:
        """Whether ``pin`` is the PIN that opened this session (constant-time comparison)."""
        self._require_open()
        assert self._pin is not None
        return hmac.compare_digest(self._pin.encode(), pin.encode())

    def _close(self) -> None:
        opened, self._opened, self._pin = self._opened, None, None
        if opened is not None:
            opened.close()


@contextlib.contextmanager
def key_session(*, key: CloudKey, pin: str, actor: User | None = None) -> Iterator[KeySession]:
    """Check the PIN once (counted like key_sign) and sign several times inside the ``with`` block."""
    opened_here: list[OpenedKey] = []

    def use(store: KeystoreBackend, row: CloudKey) -> OpenedKey:
        opened = store.open(
            key_ref=row.key_ref, pin=pin, pin_record=row.pin_verifier, algorithm=row.algorithm
        )
        opened_here.append(opened)
        return opened

    try:
        opened = _with_pin(key=key, actor=actor, use=use, on_success=lambda row, _: None)
    except BaseException:
        for opened in opened_here:
            opened.close()
        raise
    session = KeySession(key=key, opened=opened, pin=pin, actor=actor)
    try:
        yield session
    finally:
        session._close()


@contextlib.contextmanager
def key_generate_session(
    *,
    owner: User | None,
    pin: str,
    label: str,
    algorithm: str = "ec-p256",
    purpose: str = "holder",
    backend: str = "default",
    actor: User | None = None,
    same_pin_as: KeySession | None = None,
) -> Iterator[KeySession]:
    """Generate a key under ``pin`` and sign with it inside the block, never unsealing it; one transaction.

    ``same_pin_as``: an open session on another key of the same owner, opened with this same PIN; the
    backend may then protect the new key with that key's PIN material (see the module docstring).
    If the block raises, the key is not kept.
    """
    pin_validate(pin)
    if algorithm not in CloudKey.Algorithm.values:
        raise ValueError(f"unsupported algorithm {algorithm!r}")
    if purpose not in CloudKey.Purpose.values:
        raise ValueError(f"unknown key purpose {purpose!r}")
    if purpose == CloudKey.Purpose.HOLDER and owner is None:
        raise ValueError("a holder key needs an owner")
    reuse: OpenedKey | None = None
    if same_pin_as is not None:
        if owner is None or same_pin_as.key.owner_id != owner.pk:
            raise ValueError("PIN material is shared only between keys of the same owner")
        if not same_pin_as.has_pin(pin):
            raise ValueError("the new key's PIN differs from the PIN of the session given as same_pin_as")
        reuse = same_pin_as._require_open()
    store = get_backend(backend)
    generated = None
    try:
        with transaction.atomic():
            generated, opened = store.generate_open(
                algorithm=algorithm, pin=pin, label=label, same_pin_as=reuse
            )
            session: KeySession | None = None
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
                logger.info("generated %s key %s in keystore %r", algorithm, key.pk, backend)
                session = KeySession(key=key, opened=opened, pin=pin, actor=actor)
                yield session
            finally:
                if session is not None:
                    session._close()
                else:
                    opened.close()
    except BaseException:
        if generated is not None:
            try:
                store.destroy(key_ref=generated.key_ref)  # do not leave an orphan on a token
            except Exception:
                logger.exception("could not remove key %s after a failed generation", generated.key_ref)
        raise


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
    with key_generate_session(
        owner=owner, pin=pin, label=label, algorithm=algorithm, purpose=purpose, backend=backend, actor=actor
    ) as session:
        return session.key


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
