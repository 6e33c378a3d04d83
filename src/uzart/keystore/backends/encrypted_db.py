"""The default keystore: private keys sealed in the database under the holder's PIN and the server KEK."""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from uzart import clock
from uzart.keystore.backends.base import (
    ALGORITHMS,
    GeneratedKey,
    KeystoreBackend,
    OpenedKey,
    sign_digest_in_process,
    sign_in_process,
)
from uzart.keystore.errors import KeystoreUnavailable
from uzart.keystore.models import SealedKey
from uzart.keystore.sealing import (
    SALT_BYTES,
    DerivedPin,
    KdfParams,
    Sealed,
    derive_pin,
    kek_id,
    load_kek,
    seal,
    seal_derived,
    unseal,
    unseal_derived,
)

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


class UnsealedKey(OpenedKey):
    """A private key unsealed for one key session, with the PIN material that opened (or sealed) it."""

    def __init__(
        self,
        *,
        backend: EncryptedDatabaseBackend,
        key_ref: str,
        algorithm: str,
        private_key: Any,
        derived: DerivedPin,
    ) -> None:
        super().__init__(backend=backend, key_ref=key_ref, algorithm=algorithm)
        self._private_key: Any = private_key
        self._derived: DerivedPin | None = derived

    def _sign(self, data: bytes) -> bytes:
        return sign_in_process(self._private_key, data)

    def _sign_digest(self, digest: bytes) -> bytes:
        return sign_digest_in_process(self._private_key, digest)

    def _forget(self) -> None:
        # Python cannot overwrite immutable bytes; dropping the last references lets OpenSSL free
        # (and clear) the key, and nothing else in the process refers to it.
        self._private_key = None
        self._derived = None

    def derived_for_reuse(self, backend: EncryptedDatabaseBackend) -> DerivedPin | None:
        """The PIN material, if a new key on ``backend`` may be sealed with it (see keystore.services)."""
        if self.closed or self.backend is not backend or self._derived is None:
            return None
        if self._derived.kdf != KdfParams.from_settings():
            return None  # sealed under another cost: a new key gets today's cost, derived afresh
        return self._derived


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

    def open(self, *, key_ref: str, pin: str, pin_record: str, algorithm: str) -> UnsealedKey:
        row = self._row(key_ref)
        der, derived = unseal_derived(
            sealed=sealed_of(row), pin=pin, kek=self.kek, ref=row.ref, algorithm=row.algorithm
        )
        private_key = serialization.load_der_private_key(der, password=None)
        del der
        return UnsealedKey(
            backend=self, key_ref=key_ref, algorithm=row.algorithm, private_key=private_key, derived=derived
        )

    def generate_open(
        self, *, algorithm: str, pin: str, label: str, same_pin_as: OpenedKey | None = None
    ) -> tuple[GeneratedKey, UnsealedKey]:
        private_key = new_private_key(algorithm)
        der = private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        derived = same_pin_as.derived_for_reuse(self) if isinstance(same_pin_as, UnsealedKey) else None
        if derived is None:
            derived = derive_pin(pin, os.urandom(SALT_BYTES), KdfParams.from_settings())
        ref = uuid.uuid4()
        sealed = seal_derived(
            private_key_der=der, derived=derived, kek=self.kek, ref=ref, algorithm=algorithm
        )
        del der
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
        opened = UnsealedKey(
            backend=self, key_ref=str(ref), algorithm=algorithm, private_key=private_key, derived=derived
        )
        return GeneratedKey(key_ref=str(ref), public_key_der=public_der, pin_record=""), opened

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
