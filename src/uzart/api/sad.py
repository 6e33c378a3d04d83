"""Sealing the holder's PIN inside a signature activation (SAD) record, so signHash can open the key.

AEAD key = HKDF-SHA256(ikm = SAD secret || server key, salt = SAD id, info = "uzart csc sad v1"), where
the server key is derived from Django's SECRET_KEY. The SAD secret exists only in the client's hands
(the database keeps neither it nor a hash of it), so a database dump, the server's settings, or a
guessed SAD id alone cannot open the record. The associated data binds the ciphertext to the SAD id,
the credential and the authorised hashes. The PIN is padded to 16 bytes so its length does not show.
"""

from __future__ import annotations

import base64
import binascii
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_BYTES = 32
NONCE_BYTES = 12
_PADDED = 16
_INFO = b"uzart csc sad v1"


class SadUnreadable(Exception):
    """The SAD string is malformed, or its secret does not open the record."""


def new_secret() -> bytes:
    return os.urandom(SECRET_BYTES)


def sad_string(sad_id: uuid.UUID, secret: bytes) -> str:
    """The opaque SAD value handed to the client."""
    return f"{sad_id.hex}.{base64.urlsafe_b64encode(secret).decode().rstrip('=')}"


def sad_parse(value: str) -> tuple[uuid.UUID, bytes]:
    """Split a SAD value into its record id and secret; SadUnreadable if it is not one of ours."""
    try:
        id_part, secret_part = value.split(".", 1)
        sad_id = uuid.UUID(hex=id_part)
        secret = base64.urlsafe_b64decode(secret_part + "=" * (-len(secret_part) % 4))
    except (ValueError, binascii.Error):
        raise SadUnreadable() from None
    if len(secret) != SECRET_BYTES:
        raise SadUnreadable()
    return sad_id, secret


def _server_key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"uzart csc sad server key v1").derive(
        settings.SECRET_KEY.encode()
    )


def _aead(sad_id: uuid.UUID, secret: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=sad_id.bytes, info=_INFO).derive(
        secret + _server_key()
    )
    return AESGCM(key)


def _associated_data(sad_id: uuid.UUID, serial: str, hash_list: list[str]) -> bytes:
    return b"\x00".join([_INFO, sad_id.bytes, serial.encode(), *(h.encode() for h in hash_list)])


def pin_seal(*, sad_id: uuid.UUID, secret: bytes, serial: str, hash_list: list[str], pin: str) -> bytes:
    """Encrypt the PIN (digits only) for this SAD; returns nonce || ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    plain = pin.encode("ascii").ljust(_PADDED, b"\x00")
    return nonce + _aead(sad_id, secret).encrypt(nonce, plain, _associated_data(sad_id, serial, hash_list))


def pin_open(*, sad_id: uuid.UUID, secret: bytes, serial: str, hash_list: list[str], sealed: bytes) -> str:
    """Decrypt the PIN sealed for this SAD; SadUnreadable if anything does not match."""
    if len(sealed) <= NONCE_BYTES:
        raise SadUnreadable()
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        plain = _aead(sad_id, secret).decrypt(nonce, ciphertext, _associated_data(sad_id, serial, hash_list))
    except InvalidTag:
        raise SadUnreadable() from None
    return plain.rstrip(b"\x00").decode("ascii")
