"""The one interface every keystore backend implements."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.hashes import SHA256

from uzart.keystore.sealing import PinMismatch

ALGORITHMS = ("ec-p256", "rsa-2048")

__all__ = [
    "ALGORITHMS",
    "GeneratedKey",
    "KeystoreBackend",
    "OpenedKey",
    "PinMismatch",
    "sign_digest_in_process",
    "sign_in_process",
]


@dataclass(frozen=True)
class GeneratedKey:
    """A fresh key pair: the backend's reference, the public key (DER SubjectPublicKeyInfo) and the
    PIN record to keep on the CloudKey ("" when the backend checks the PIN by itself)."""

    key_ref: str
    public_key_der: bytes
    pin_record: str


class OpenedKey(abc.ABC):
    """A key whose PIN has been checked: it signs until ``close()``, without asking for the PIN again.

    Made by ``KeystoreBackend.open`` / ``generate_open`` for one key session (``keystore.services``)
    and closed when that session ends; never kept beyond it. ``close()`` drops whatever the backend
    held (an unsealed private key, derived PIN material, the fact that the PIN was right).
    """

    def __init__(self, *, backend: KeystoreBackend, key_ref: str, algorithm: str) -> None:
        self.backend = backend
        self.key_ref = key_ref
        self.algorithm = algorithm
        self._closed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key_ref} {'closed' if self._closed else 'open'}>"

    @property
    def closed(self) -> bool:
        return self._closed

    def _require_open(self) -> None:
        if self._closed:
            raise RuntimeError("this opened key has been closed; check the PIN again")

    def sign(self, data: bytes) -> bytes:
        """Sign SHA-256(data): ECDSA as DER, RSA as PKCS#1 v1.5."""
        self._require_open()
        return self._sign(data)

    def sign_digest(self, digest: bytes) -> bytes:
        """Sign a SHA-256 ``digest`` computed elsewhere, with the same output as ``sign``."""
        self._require_open()
        return self._sign_digest(digest)

    def close(self) -> None:
        """Forget the key material; later signing raises."""
        self._closed = True
        self._forget()

    @abc.abstractmethod
    def _sign(self, data: bytes) -> bytes: ...

    @abc.abstractmethod
    def _sign_digest(self, digest: bytes) -> bytes: ...

    @abc.abstractmethod
    def _forget(self) -> None: ...


class KeystoreBackend(abc.ABC):
    """A place where private keys live and sign; the key never leaves it.

    Backends raise ``PinMismatch`` for a wrong PIN and ``KeystoreUnavailable`` when they cannot work;
    counting attempts, locking and auditing are the services' job. A backend implements ``open``
    (check the PIN once, return an ``OpenedKey``), ``generate_open``, ``change_pin`` and ``destroy``;
    the one-shot ``generate``, ``verify_pin``, ``sign`` and ``sign_digest`` are built on them.
    """

    def __init__(self, alias: str, **options: Any) -> None:
        self.alias = alias
        self.options = options

    @abc.abstractmethod
    def open(self, *, key_ref: str, pin: str, pin_record: str, algorithm: str) -> OpenedKey:
        """Check ``pin`` (raise PinMismatch unless it opens the key) and return the key ready to sign."""

    @abc.abstractmethod
    def generate_open(
        self, *, algorithm: str, pin: str, label: str, same_pin_as: OpenedKey | None = None
    ) -> tuple[GeneratedKey, OpenedKey]:
        """Generate a key pair protected by ``pin`` and return it opened (it signs without an unseal).

        ``same_pin_as``: a key of the same holder just opened with this same ``pin``; a backend may
        protect the new key with the PIN material derived for it instead of deriving it again, when that
        is as strong as a fresh derivation (same backend, same KEK, current KDF cost); otherwise it
        derives afresh from ``pin``. The caller guarantees that the PIN is the same.
        """

    def generate(self, *, algorithm: str, pin: str, label: str) -> GeneratedKey:
        """Generate a key pair inside the keystore, protected by ``pin``."""
        generated, opened = self.generate_open(algorithm=algorithm, pin=pin, label=label)
        opened.close()
        return generated

    def verify_pin(self, *, key_ref: str, pin: str, pin_record: str, algorithm: str) -> None:
        """Raise PinMismatch unless ``pin`` opens the key."""
        self.open(key_ref=key_ref, pin=pin, pin_record=pin_record, algorithm=algorithm).close()

    def sign(self, *, key_ref: str, pin: str, pin_record: str, data: bytes, algorithm: str) -> bytes:
        """Sign SHA-256(data): ECDSA as DER, RSA as PKCS#1 v1.5. Raise PinMismatch for a wrong PIN."""
        opened = self.open(key_ref=key_ref, pin=pin, pin_record=pin_record, algorithm=algorithm)
        try:
            return opened.sign(data)
        finally:
            opened.close()

    def sign_digest(self, *, key_ref: str, pin: str, pin_record: str, digest: bytes, algorithm: str) -> bytes:
        """Sign a SHA-256 ``digest`` computed elsewhere, with the same output as ``sign``."""
        opened = self.open(key_ref=key_ref, pin=pin, pin_record=pin_record, algorithm=algorithm)
        try:
            return opened.sign_digest(digest)
        finally:
            opened.close()

    @abc.abstractmethod
    def change_pin(self, *, key_ref: str, old_pin: str, new_pin: str, pin_record: str, algorithm: str) -> str:
        """Protect the key with ``new_pin``; return the new PIN record. Raise PinMismatch for a wrong old PIN."""

    @abc.abstractmethod
    def destroy(self, *, key_ref: str) -> None:
        """Delete the private (and public) key for good."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections (sessions, handles); the backend may be used again afterwards."""


def sign_in_process(private_key: Any, data: bytes) -> bytes:
    """Sign with a private key object of ``cryptography``, per the backend contract."""
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(data, ec.ECDSA(SHA256()))
    return private_key.sign(data, padding.PKCS1v15(), SHA256())


def sign_digest_in_process(private_key: Any, digest: bytes) -> bytes:
    """Sign a precomputed SHA-256 digest with a private key object of ``cryptography``."""
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(digest, ec.ECDSA(Prehashed(SHA256())))
    return private_key.sign(digest, padding.PKCS1v15(), Prehashed(SHA256()))
