"""Private-key objects whose ``sign()`` happens elsewhere (in the keystore).

cryptography's builders (certificates, CRLs, OCSP responses) call ``sign(data, ...)`` on whatever
``EllipticCurvePrivateKey`` / ``RSAPrivateKey`` they are given, so an object that implements those
interfaces and forwards the bytes to the keystore lets the CA sign without its private key ever
leaving the keystore. Checked with cryptography 50: the builder hands over the to-be-signed bytes and
expects a DER ECDSA signature (or a PKCS#1 v1.5 signature) over their SHA-256 hash, which is exactly
what ``keystore.services.key_sign`` returns. Only SHA-256 is accepted; the private numbers and
bytes can never be read through these objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PublicKeyTypes,
)
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

if TYPE_CHECKING:
    from uzart.keystore.models import CloudKey
    from uzart.keystore.services import KeySession

SignFunction = Callable[[bytes], bytes]


def _refuse_export() -> NoReturn:
    raise TypeError("a keystore key cannot be exported")


def _require_sha256(algorithm: Any) -> None:
    if isinstance(algorithm, Prehashed) or not isinstance(algorithm, hashes.SHA256):
        raise UnsupportedAlgorithm("keystore keys sign SHA-256 only")


class ExternalEcKey(ec.EllipticCurvePrivateKey):
    """An EC private key whose signatures (SHA-256 ECDSA, DER) come from ``sign_function``."""

    def __init__(self, *, public_key: ec.EllipticCurvePublicKey, sign_function: SignFunction) -> None:
        self._public_key = public_key
        self._sign_function = sign_function

    def __repr__(self) -> str:
        return f"<ExternalEcKey {self._public_key.curve.name}>"

    def sign(self, data: Any, signature_algorithm: ec.EllipticCurveSignatureAlgorithm) -> bytes:
        if not isinstance(signature_algorithm, ec.ECDSA):
            raise UnsupportedAlgorithm("keystore EC keys sign ECDSA only")
        _require_sha256(signature_algorithm.algorithm)
        return self._sign_function(bytes(data))

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public_key

    @property
    def curve(self) -> ec.EllipticCurve:
        return self._public_key.curve

    @property
    def key_size(self) -> int:
        return self._public_key.key_size

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        raise UnsupportedAlgorithm("keystore keys only sign")

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        _refuse_export()

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        _refuse_export()

    def __copy__(self) -> ExternalEcKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ExternalEcKey:
        return self


class ExternalRsaKey(rsa.RSAPrivateKey):
    """An RSA private key whose signatures (SHA-256, PKCS#1 v1.5) come from ``sign_function``."""

    def __init__(self, *, public_key: rsa.RSAPublicKey, sign_function: SignFunction) -> None:
        self._public_key = public_key
        self._sign_function = sign_function

    def __repr__(self) -> str:
        return f"<ExternalRsaKey {self._public_key.key_size}>"

    def sign(self, data: Any, padding: padding.AsymmetricPadding, algorithm: Any) -> bytes:
        if not isinstance(padding, _PKCS1v15):
            raise UnsupportedAlgorithm("keystore RSA keys sign PKCS#1 v1.5 only")
        _require_sha256(algorithm)
        return self._sign_function(bytes(data))

    def public_key(self) -> rsa.RSAPublicKey:
        return self._public_key

    @property
    def key_size(self) -> int:
        return self._public_key.key_size

    def decrypt(self, ciphertext: bytes, padding: padding.AsymmetricPadding) -> bytes:
        raise UnsupportedAlgorithm("keystore keys only sign")

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        _refuse_export()

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        _refuse_export()

    def __copy__(self) -> ExternalRsaKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ExternalRsaKey:
        return self


_PKCS1v15 = padding.PKCS1v15


def external_key(
    *, public_key: PublicKeyTypes, sign_function: SignFunction
) -> CertificateIssuerPrivateKeyTypes:
    """Wrap a public key and a signing function as a private key cryptography's builders accept."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return ExternalEcKey(public_key=public_key, sign_function=sign_function)
    if isinstance(public_key, rsa.RSAPublicKey):
        return ExternalRsaKey(public_key=public_key, sign_function=sign_function)
    raise UnsupportedAlgorithm(f"keystore keys of type {type(public_key).__name__} are not supported")


def keystore_signer(
    *,
    key: CloudKey | None = None,
    pin: str | None = None,
    actor: Any = None,
    session: KeySession | None = None,
) -> CertificateIssuerPrivateKeyTypes:
    """Return a private-key object that signs with ``key`` in the keystore, unlocked by ``pin``.

    Or, with ``session`` (from ``keystore.services.key_session`` / ``key_generate_session``), one that signs
    through that session: no PIN check per signature, usable only inside the session's block.
    """
    from uzart.keystore.services import key_public, key_sign

    if session is not None:
        if key is not None or pin is not None or actor is not None:
            raise TypeError("give either a key session or a key with its PIN")
        return external_key(public_key=key_public(key=session.key), sign_function=session.sign)
    if key is None or pin is None:
        raise TypeError("a keystore signer needs a key and its PIN, or a key session")

    def sign(data: bytes) -> bytes:
        return key_sign(key=key, pin=pin, data=data, actor=actor)

    return external_key(public_key=key_public(key=key), sign_function=sign)
