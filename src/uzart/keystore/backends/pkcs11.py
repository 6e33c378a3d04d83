"""PKCS#11 keystore: key pairs generated on an HSM token (SoftHSM2 in tests), never extractable.

Uzart logs into the token with the operator's user PIN; the holder's PIN is checked by Uzart against an
Argon2id verifier kept on the CloudKey. The verifier is computed over HMAC-SHA256(PIN) made *on the
token* with a non-extractable secret ("pepper"), so a database dump alone does not allow guessing PINs
offline. Each process keeps one logged-in session per token and uses it under a lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pkcs11
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from asn1crypto.core import OctetString
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import (
    DeviceRemoved,
    NoSuchKey,
    NoSuchToken,
    PKCS11Error,
    SessionClosed,
    SessionHandleInvalid,
    TokenNotPresent,
    UserAlreadyLoggedIn,
    UserNotLoggedIn,
)
from pkcs11.util.ec import encode_ecdsa_signature, encode_named_curve_parameters

from uzart.keystore.backends.base import GeneratedKey, KeystoreBackend, OpenedKey
from uzart.keystore.errors import KeystoreUnavailable
from uzart.keystore.sealing import KdfParams, PinMismatch

logger = logging.getLogger(__name__)

T = TypeVar("T")

PEPPER_LABEL = "uzart-pin-pepper"
_RECORD_PREFIX = "hsm-hmac"
# DER DigestInfo prefix of a SHA-256 digest (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_STALE = (SessionHandleInvalid, SessionClosed, UserNotLoggedIn, DeviceRemoved, TokenNotPresent)
_PRIVATE_TEMPLATE = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.SIGN: True,
}
_PUBLIC_TEMPLATE = {Attribute.TOKEN: True, Attribute.PRIVATE: False, Attribute.VERIFY: True}


class TokenSession:
    """One logged-in read-write session on a token, shared by every backend instance of the process."""

    def __init__(self, *, module: str, token_label: str, user_pin: str) -> None:
        self.module = module
        self.token_label = token_label
        self._user_pin = user_pin
        self._lock = threading.RLock()
        self._session: Any = None
        self._pid = 0

    def _open(self) -> Any:
        if self._session is not None and self._pid == os.getpid():
            return self._session
        try:
            lib = pkcs11.lib(self.module)
            if self._pid and self._pid != os.getpid():
                lib.reinitialize()  # a forked child must not use its parent's PKCS#11 state
            token = lib.get_token(token_label=self.token_label)
            try:
                session = token.open(rw=True, user_pin=self._user_pin)
            except UserAlreadyLoggedIn:  # login is per process; another session already did it
                session = token.open(rw=True)
        except (NoSuchToken, PKCS11Error, OSError, RuntimeError) as exc:
            logger.error(
                "cannot open PKCS#11 token %r in %s: %s", self.token_label, self.module, type(exc).__name__
            )
            raise KeystoreUnavailable() from None
        self._session, self._pid = session, os.getpid()
        return session

    def run(self, operation: Callable[[Any], T]) -> T:
        """Run ``operation(session)``; reopen once if the session went stale (library reloaded, token reset)."""
        with self._lock:
            for attempt in (1, 2):
                session = self._open()
                try:
                    return operation(session)
                except _STALE as exc:
                    self._session = None
                    if attempt == 2:
                        logger.error(
                            "PKCS#11 token %r keeps failing: %s", self.token_label, type(exc).__name__
                        )
                        raise KeystoreUnavailable() from None
            raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            if self._session is not None and self._pid == os.getpid():
                with contextlib.suppress(PKCS11Error):  # already gone with the library
                    self._session.close()
            self._session = None


_token_sessions: dict[tuple[str, str], TokenSession] = {}
_token_sessions_lock = threading.Lock()


def token_session(*, module: str, token_label: str, user_pin: str) -> TokenSession:
    """The process's session on this token (one per module and token label)."""
    with _token_sessions_lock:
        found = _token_sessions.get((module, token_label))
        if found is None:
            found = TokenSession(module=module, token_label=token_label, user_pin=user_pin)
            _token_sessions[(module, token_label)] = found
        return found


def library_reload(module: str) -> None:
    """Close every session and re-read the library's configuration (tests change SOFTHSM2_CONF)."""
    with _token_sessions_lock:
        for session in _token_sessions.values():
            session.close()
        _token_sessions.clear()
    pkcs11.lib(module).reinitialize()


def _public_key_der(public: Any, algorithm: str) -> bytes:
    if algorithm == "ec-p256":
        point = ec_point_bytes(public[Attribute.EC_POINT])
        key: Any = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    else:
        key = rsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
            int.from_bytes(public[Attribute.MODULUS], "big"),
        ).public_key()
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def ec_point_bytes(value: bytes) -> bytes:
    """CKA_EC_POINT is a DER OCTET STRING around the point; some tokens give the raw 65-byte point."""
    if len(value) == 65:
        return value
    return bytes(OctetString.load(value).native)


class TokenKey(OpenedKey):
    """A token key whose holder PIN was checked against its verifier; signs on the token until closed."""

    def __init__(self, *, backend: PKCS11Backend, key_ref: str, algorithm: str, pin_record: str) -> None:
        super().__init__(backend=backend, key_ref=key_ref, algorithm=algorithm)
        self._backend = backend
        self._pin_record: str | None = pin_record

    def _sign(self, data: bytes) -> bytes:
        return self._backend.sign_on_token(key_ref=self.key_ref, data=data, algorithm=self.algorithm)

    def _sign_digest(self, digest: bytes) -> bytes:
        return self._backend.sign_digest_on_token(
            key_ref=self.key_ref, digest=digest, algorithm=self.algorithm
        )

    def _forget(self) -> None:
        self._pin_record = None

    def record_for_reuse(self, backend: PKCS11Backend) -> str | None:
        """The verified PIN record, if a new key on ``backend`` may carry it (see keystore.services)."""
        if self.closed or self._backend is not backend or self._pin_record is None:
            return None
        encoded = self._pin_record.split(":", 2)[-1]
        try:
            if backend.hasher().check_needs_rehash(encoded):
                return None  # made with another cost: a new key gets today's cost, derived afresh
        except InvalidHashError:
            return None
        return self._pin_record


class PKCS11Backend(KeystoreBackend):
    """Keys on a PKCS#11 token. OPTIONS: ``module`` (path of the .so), ``token_label``, ``user_pin``."""

    def __init__(self, alias: str, **options: Any) -> None:
        super().__init__(alias, **options)
        missing = [name for name in ("module", "token_label", "user_pin") if not options.get(name)]
        if missing:
            logger.error("keystore %r: PKCS#11 OPTIONS lack %s", alias, ", ".join(missing))
            raise KeystoreUnavailable()
        self.session = token_session(
            module=options["module"], token_label=options["token_label"], user_pin=options["user_pin"]
        )

    # --- the holder's PIN -------------------------------------------------------------------------
    def hasher(self) -> PasswordHasher:
        """Argon2id with today's cost (``settings.KEYSTORE_KDF``)."""
        kdf = KdfParams.from_settings()
        return PasswordHasher(
            time_cost=kdf.time_cost, memory_cost=kdf.memory_cost, parallelism=kdf.parallelism, type=Type.ID
        )

    def _pepper_id(self, session: Any) -> bytes:
        peppers = list(
            session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.LABEL: PEPPER_LABEL})
        )
        if peppers:
            return bytes(min(bytes(p[Attribute.ID]) for p in peppers))
        pepper_id = os.urandom(16)
        session.generate_key(
            KeyType.GENERIC_SECRET,
            256,
            store=True,
            label=PEPPER_LABEL,
            id=pepper_id,
            template={
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
                Attribute.SIGN: True,
            },
        )
        logger.info("created the PIN pepper key on PKCS#11 token %r", self.session.token_label)
        return pepper_id

    def _peppered(self, pin: str, pepper_id: bytes) -> bytes:
        def mac(session: Any) -> bytes:
            key = session.get_key(object_class=ObjectClass.SECRET_KEY, id=pepper_id)
            return bytes(key.sign(pin.encode(), mechanism=Mechanism.SHA256_HMAC))

        try:
            return self.session.run(mac)
        except NoSuchKey:
            logger.error("PIN pepper key is missing from PKCS#11 token %r", self.session.token_label)
            raise KeystoreUnavailable() from None

    def _pin_record(self, pin: str) -> str:
        pepper_id = self.session.run(self._pepper_id)
        return f"{_RECORD_PREFIX}:{pepper_id.hex()}:{self.hasher().hash(self._peppered(pin, pepper_id))}"

    def _check_pin(self, pin: str, pin_record: str) -> None:
        try:
            prefix, pepper_hex, encoded = pin_record.split(":", 2)
            if prefix != _RECORD_PREFIX:
                raise ValueError(prefix)
            self.hasher().verify(encoded, self._peppered(pin, bytes.fromhex(pepper_hex)))
        except VerificationError:
            raise PinMismatch() from None
        except (ValueError, InvalidHashError):
            logger.error("a PKCS#11 cloud key has an unreadable PIN record")
            raise KeystoreUnavailable() from None

    # --- keys -------------------------------------------------------------------------------------
    def generate_open(
        self, *, algorithm: str, pin: str, label: str, same_pin_as: OpenedKey | None = None
    ) -> tuple[GeneratedKey, TokenKey]:
        pin_record = same_pin_as.record_for_reuse(self) if isinstance(same_pin_as, TokenKey) else None
        if pin_record is None:
            pin_record = self._pin_record(pin)
        key_id = os.urandom(16)

        def make(session: Any) -> bytes:
            if algorithm == "ec-p256":
                params = session.create_domain_parameters(
                    KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
                )
                public, _private = params.generate_keypair(
                    store=True,
                    label=label[:64],
                    id=key_id,
                    public_template=_PUBLIC_TEMPLATE,
                    private_template=_PRIVATE_TEMPLATE,
                )
            elif algorithm == "rsa-2048":
                public, _private = session.generate_keypair(
                    KeyType.RSA,
                    2048,
                    store=True,
                    label=label[:64],
                    id=key_id,
                    public_template=_PUBLIC_TEMPLATE,
                    private_template=_PRIVATE_TEMPLATE,
                )
            else:
                raise ValueError(f"unsupported algorithm {algorithm!r}")
            return _public_key_der(public, algorithm)

        public_der = self.session.run(make)
        generated = GeneratedKey(key_ref=key_id.hex(), public_key_der=public_der, pin_record=pin_record)
        opened = TokenKey(backend=self, key_ref=generated.key_ref, algorithm=algorithm, pin_record=pin_record)
        return generated, opened

    def private_key(self, session: Any, key_ref: str) -> Any:
        """The private key object on the token (for signing and for reading its attributes)."""
        try:
            return session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=bytes.fromhex(key_ref))
        except NoSuchKey:
            logger.error("PKCS#11 key %s is missing from token %r", key_ref, self.session.token_label)
            raise KeystoreUnavailable() from None

    def open(self, *, key_ref: str, pin: str, pin_record: str, algorithm: str) -> TokenKey:
        self._check_pin(pin, pin_record)
        return TokenKey(backend=self, key_ref=key_ref, algorithm=algorithm, pin_record=pin_record)

    def sign_on_token(self, *, key_ref: str, data: bytes, algorithm: str) -> bytes:
        """Sign SHA-256(data) on the token; the holder's PIN must have been checked (``open``)."""

        def operate(session: Any) -> bytes:
            key = self.private_key(session, key_ref)
            if algorithm == "ec-p256":
                # This SoftHSM lacks CKM_ECDSA_SHA256: hash here, sign raw, encode r||s as DER.
                raw = key.sign(hashlib.sha256(data).digest(), mechanism=Mechanism.ECDSA)
                return bytes(encode_ecdsa_signature(raw))
            return bytes(key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))

        return self.session.run(operate)

    def sign_digest_on_token(self, *, key_ref: str, digest: bytes, algorithm: str) -> bytes:
        """Sign a SHA-256 digest on the token; the holder's PIN must have been checked (``open``)."""

        def operate(session: Any) -> bytes:
            key = self.private_key(session, key_ref)
            if algorithm == "ec-p256":
                return bytes(encode_ecdsa_signature(key.sign(digest, mechanism=Mechanism.ECDSA)))
            # Raw PKCS#1 v1.5: the token pads the DER DigestInfo that names SHA-256.
            return bytes(key.sign(_SHA256_DIGEST_INFO + digest, mechanism=Mechanism.RSA_PKCS))

        return self.session.run(operate)

    def change_pin(self, *, key_ref: str, old_pin: str, new_pin: str, pin_record: str, algorithm: str) -> str:
        self._check_pin(old_pin, pin_record)
        return self._pin_record(new_pin)

    def destroy(self, *, key_ref: str) -> None:
        def remove(session: Any) -> None:
            for found in list(session.get_objects({Attribute.ID: bytes.fromhex(key_ref)})):
                found.destroy()

        self.session.run(remove)

    def key_attributes(self, *, key_ref: str) -> dict[str, bool]:
        """SENSITIVE, EXTRACTABLE, ALWAYS_SENSITIVE, NEVER_EXTRACTABLE of the private key, read from the token."""

        def read(session: Any) -> dict[str, bool]:
            key = self.private_key(session, key_ref)
            names = ("SENSITIVE", "EXTRACTABLE", "ALWAYS_SENSITIVE", "NEVER_EXTRACTABLE")
            return {name: bool(key[getattr(Attribute, name)]) for name in names}

        return self.session.run(read)
