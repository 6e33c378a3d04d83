"""The default keystore: private keys sealed in the database under the holder's PIN and the server KEK."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from uzart import clock
from uzart.keystore.backends.base import (
    ALGORITHMS,
    GeneratedKey,
    KeystoreBackend,
    sign_digest_in_process,
    sign_in_process,
)
from uzart.keystore.errors import KeystoreUnavailable
from uzart.keystore.models import SealedKey
from uzart.keystore.sealing import KdfParams, Sealed, kek_id, load_kek, seal, unseal

logger = logging.getLogger(__name__)


def new_private_key(algorithm: str) -> Any:
    """A fresh private key of one of the supported algorithms."""
    if algorithm == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "rsa-2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unsupported algorithm {algorithm!r}; expected one of {ALGORITHMS}")


def sealed_of(row: SealedKey) -> Sealed:
    """The sealed blob and its KDF parameters, as read from a row."""
    return Sealed(
        kdf=KdfParams(
            time_cost=row.kdf_time_cost, memory_cost=row.kdf_memory_cost, parallelism=row.kdf_parallelism
        ),
        salt=bytes(row.salt),
        nonce=bytes(row.nonce),
        ciphertext=bytes(row.ciphertext),
    )


class EncryptedDatabaseBackend(KeystoreBackend):
    """PKCS#8 keys sealed with AES-256-GCM in the ``SealedKey`` table.

    OPTIONS: ``kek_file`` (optional; defaults to ``settings.KEYSTORE_KEK_FILE``). The KEK itself comes
    from ``UZART_KEK`` when that is set.
    """

    def __init__(self, alias: str, **options: Any) -> None:
        super().__init__(alias, **options)
        self._kek: bytes | None = None

    @property
    def kek(self) -> bytes:
        if self._kek is None:
            self._kek = load_kek(self.options.get("kek_file"))
        return self._kek

    def _row(self, key_ref: str) -> SealedKey:
        try:
            return SealedKey.objects.get(ref=uuid.UUID(key_ref))
        except (SealedKey.DoesNotExist, ValueError):
            logger.error("sealed key %s is missing from the keystore table", key_ref)
            raise KeystoreUnavailable() from None

    def _open(self, row: SealedKey, pin: str) -> Any:
        der = unseal(sealed=sealed_of(row), pin=pin, kek=self.kek, ref=row.ref, algorithm=row.algorithm)
        return serialization.load_der_private_key(der, password=None)

    def generate(self, *, algorithm: str, pin: str, label: str) -> GeneratedKey:
        private_key = new_private_key(algorithm)
        der = private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        ref = uuid.uuid4()
        sealed = seal(
            private_key_der=der,
            pin=pin,
            kek=self.kek,
            ref=ref,
            algorithm=algorithm,
            kdf=KdfParams.from_settings(),
        )
        SealedKey.objects.create(
            ref=ref,
            algorithm=algorithm,
            kdf_time_cost=sealed.kdf.time_cost,
            kdf_memory_cost=sealed.kdf.memory_cost,
            kdf_parallelism=sealed.kdf.parallelism,
            salt=sealed.salt,
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
            kek_id=kek_id(self.kek),
        )
        public_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return GeneratedKey(key_ref=str(ref), public_key_der=public_der, pin_record="")

    def verify_pin(self, *, key_ref: str, pin: str, pin_record: str, algorithm: str) -> None:
        self._open(self._row(key_ref), pin)

    def sign(self, *, key_ref: str, pin: str, pin_record: str, data: bytes, algorithm: str) -> bytes:
        return sign_in_process(self._open(self._row(key_ref), pin), data)

    def sign_digest(self, *, key_ref: str, pin: str, pin_record: str, digest: bytes, algorithm: str) -> bytes:
        return sign_digest_in_process(self._open(self._row(key_ref), pin), digest)

    def change_pin(self, *, key_ref: str, old_pin: str, new_pin: str, pin_record: str, algorithm: str) -> str:
        row = self._row(key_ref)
        der = unseal(sealed=sealed_of(row), pin=old_pin, kek=self.kek, ref=row.ref, algorithm=row.algorithm)
        sealed = seal(
            private_key_der=der,
            pin=new_pin,
            kek=self.kek,
            ref=row.ref,
            algorithm=row.algorithm,
            kdf=KdfParams.from_settings(),
        )
        SealedKey.objects.filter(pk=row.pk).update(
            kdf_time_cost=sealed.kdf.time_cost,
            kdf_memory_cost=sealed.kdf.memory_cost,
            kdf_parallelism=sealed.kdf.parallelism,
            salt=sealed.salt,
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
            kek_id=kek_id(self.kek),
            updated_at=clock.now(),
        )
        return ""

    def destroy(self, *, key_ref: str) -> None:
        SealedKey.objects.filter(ref=uuid.UUID(key_ref)).delete()
