"""Sealing private keys for the encrypted-database keystore, and the server key-encryption key (KEK).

AEAD key = HKDF-SHA256(ikm = Argon2id(PIN, salt) || KEK, salt = salt, info = "uzart keystore v1").
Without the PIN the Argon2id half is missing; without the KEK the other half is: neither a database
dump plus the KEK nor a dump plus the PIN opens a key. A wrong PIN shows up as a failed GCM tag.

The Argon2id half (``DerivedPin``: the output, its salt and its cost) can be kept for the length of one
key session and reused to seal a *new* key of the same holder under the same PIN (renewal: the PIN that
just opened the old key protects the new one). That seal stores the old row's salt and cost, a fresh
nonce, and associated data naming the new row; see ``uzart.keystore.services`` for why this is safe and
when it is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from uzart.keystore.errors import KeystoreUnavailable

logger = logging.getLogger(__name__)

KEK_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
_INFO = b"uzart keystore v1 aead"
_AAD_PREFIX = b"uzart keystore v1\x00"


class PinMismatch(Exception):
    """The PIN does not open the key (internal; services turn it into WrongPin)."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; stored with every sealed key so that changing the setting affects only new keys."""

    time_cost: int
    memory_cost: int  # KiB
    parallelism: int

    @classmethod
    def from_settings(cls) -> KdfParams:
        conf: dict[str, Any] = getattr(settings, "KEYSTORE_KDF", {})
        return cls(
            time_cost=int(conf.get("time_cost", 3)),
            memory_cost=int(conf.get("memory_cost", 64 * 1024)),
            parallelism=int(conf.get("parallelism", 1)),
        )


@dataclass(frozen=True)
class Sealed:
    """What the database keeps of a sealed key, besides its reference and algorithm."""

    kdf: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes


def pin_key(pin: str, salt: bytes, kdf: KdfParams) -> bytes:
    """Derive the PIN half of the AEAD key with Argon2id."""
    return hash_secret_raw(
        secret=pin.encode(),
        salt=salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost,
        parallelism=kdf.parallelism,
        hash_len=32,
        type=Type.ID,
    )


@dataclass(frozen=True)
class DerivedPin:
    """Argon2id(PIN, salt) with the salt and cost it was made with: secret, kept only inside a key session."""

    kdf: KdfParams
    salt: bytes
    material: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"<DerivedPin {self.kdf}>"


def derive_pin(pin: str, salt: bytes, kdf: KdfParams) -> DerivedPin:
    """Run Argon2id once for ``pin`` under ``salt``."""
    return DerivedPin(kdf=kdf, salt=salt, material=pin_key(pin, salt, kdf))


def _aead_key(derived: DerivedPin, kek: bytes) -> bytes:
    if len(kek) != KEK_BYTES:
        raise ValueError("the key-encryption key must be 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=derived.salt, info=_INFO).derive(
        derived.material + kek
    )


def associated_data(ref: uuid.UUID, algorithm: str) -> bytes:
    """Bind a ciphertext to its row: a blob moved to another row fails to open."""
    return _AAD_PREFIX + ref.bytes + b"\x00" + algorithm.encode()


def seal(
    *, private_key_der: bytes, pin: str, kek: bytes, ref: uuid.UUID, algorithm: str, kdf: KdfParams
) -> Sealed:
    """Encrypt a PKCS#8 private key under the PIN (fresh salt) and the KEK."""
    derived = derive_pin(pin, os.urandom(SALT_BYTES), kdf)
    return seal_derived(
        private_key_der=private_key_der, derived=derived, kek=kek, ref=ref, algorithm=algorithm
    )


def seal_derived(
    *, private_key_der: bytes, derived: DerivedPin, kek: bytes, ref: uuid.UUID, algorithm: str
) -> Sealed:
    """Encrypt a PKCS#8 private key under already derived PIN material (its salt and cost) and the KEK."""
    nonce = os.urandom(NONCE_BYTES)
    key = _aead_key(derived, kek)
    ciphertext = AESGCM(key).encrypt(nonce, private_key_der, associated_data(ref, algorithm))
    return Sealed(kdf=derived.kdf, salt=derived.salt, nonce=nonce, ciphertext=ciphertext)


def unseal(*, sealed: Sealed, pin: str, kek: bytes, ref: uuid.UUID, algorithm: str) -> bytes:
    """Decrypt a sealed private key; raise PinMismatch when the PIN (or KEK, or row) does not match."""
    return unseal_derived(sealed=sealed, pin=pin, kek=kek, ref=ref, algorithm=algorithm)[0]


def unseal_derived(
    *, sealed: Sealed, pin: str, kek: bytes, ref: uuid.UUID, algorithm: str
) -> tuple[bytes, DerivedPin]:
    """Like ``unseal``; also return the PIN material that opened the key (proven right by the GCM tag)."""
    derived = derive_pin(pin, sealed.salt, sealed.kdf)
    try:
        der = AESGCM(_aead_key(derived, kek)).decrypt(
            sealed.nonce, sealed.ciphertext, associated_data(ref, algorithm)
        )
    except InvalidTag:
        raise PinMismatch() from None
    return der, derived


def kek_id(kek: bytes) -> str:
    """A short, non-secret name for a KEK, stored with each sealed key to tell KEKs apart."""
    return hmac.new(kek, b"uzart keystore kek id", hashlib.sha256).hexdigest()[:16]


def _decode_kek(raw: str, where: str) -> bytes:
    try:
        kek = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        kek = b""
    if len(kek) != KEK_BYTES:
        logger.error("keystore KEK from %s is not 32 bytes of base64", where)
        raise KeystoreUnavailable(
            _("The keystore key-encryption key must be 32 random bytes written in base64 (%(where)s)."),
            where=where,
        )
    return kek


def _create_kek_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(os.urandom(KEK_BYTES)).decode() + "\n")
    logger.info("created a new keystore key-encryption key file at %s", path)


def load_kek(kek_file: str | os.PathLike[str] | None = None) -> bytes:
    """Read the KEK from ``UZART_KEK`` (base64) or the KEK file; demo and test modes create the file."""
    raw = os.environ.get("UZART_KEK", "")
    if raw:
        return _decode_kek(raw, "UZART_KEK")
    path = Path(kek_file or settings.KEYSTORE_KEK_FILE)
    if not path.exists():
        if getattr(settings, "MODE", "production") in {"demo", "test"}:
            _create_kek_file(path)
        else:
            logger.error("keystore KEK missing: UZART_KEK is unset and %s does not exist", path)
            raise KeystoreUnavailable(
                _(
                    "The cloud keystore is not configured: its key-encryption key is missing. "
                    "Set UZART_KEK or create the file named by UZART_KEK_FILE."
                )
            )
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.error("keystore KEK file %s is readable by others; refusing to use it", path)
        raise KeystoreUnavailable(
            _("The keystore key-encryption key file must be readable by its owner only (chmod 600).")
        )
    return _decode_kek(path.read_text(), "UZART_KEK_FILE")
