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


class KeystoreBackend(abc.ABC):
    """A place where private keys live and sign; the key never leaves it.

    Backends raise ``PinMismatch`` for a wrong PIN and ``KeystoreUnavailable`` when they cannot work;
    counting attempts, locking and auditing are the services' job.
    """

    def __init__(self, alias: str, **options: Any) -> None:
        self.alias = alias
        self.options = options

    @abc.abstractmethod
    def generate(self, *, algorithm: str, pin: str, label: str) -> GeneratedKey:
        """Generate a key pair inside the keystore, protected by ``pin``."""

    @abc.abstractmethod
    def verify_pin(self, *, key_ref: str, pin: str, pin_record: str, algorithm: str) -> None:
        """Raise PinMismatch unless ``pin`` opens the key."""

    @abc.abstractmethod
    def sign(self, *, key_ref: str, pin: str, pin_record: str, data: bytes, algorithm: str) -> bytes:
        """Sign SHA-256(data): ECDSA as DER, RSA as PKCS#1 v1.5. Raise PinMismatch for a wrong PIN."""

    @abc.abstractmethod
    def sign_digest(self, *, key_ref: str, pin: str, pin_record: str, digest: bytes, algorithm: str) -> bytes:
        """Sign a SHA-256 ``digest`` computed elsewhere, with the same output as ``sign``."""

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
