"""PAdES-B-B signatures on request PDFs, made through the cloud keystore, and their validation.

Signing runs pyHanko's asynchronous signer inside ``async_to_sync``; the keystore call goes back to the
calling thread with ``sync_to_async(thread_sensitive=True)``, so ``key_sign`` uses the caller's database
connection and transaction (its PIN counting and audit row commit or roll back with the caller's work).

pyHanko normally signs twice per document: once with a dummy digest to learn how much room to reserve
for the signature, then for real. Here the room is computed from the certificates and the key's
largest signature, and the signer answers a dry run with zero bytes without touching the key, so
``key_sign`` (which counts PIN attempts and writes an audit row) runs exactly once per document.
Given a key session (``keystore.services.key_session``) instead of a key and PIN, the signer signs
through it: the PIN was checked when the session opened, and the signature is still one ``key.sign``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESSubIndic
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer, SimpleSigner
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from uzart.keystore.models import CloudKey
from uzart.keystore.services import KeySession, key_sign
from uzart.signing.errors import CertificateKeyMismatch, SigningFailed

logger = logging.getLogger(__name__)

FIELD_NAME = "UzartSignature"
DIGEST = "sha256"
# The largest DER signature each key algorithm produces: ECDSA P-256 SEQUENCE of two INTEGERs, RSA 2048.
MAX_SIGNATURE_BYTES = {CloudKey.Algorithm.EC_P256: 72, CloudKey.Algorithm.RSA_2048: 256}
# Room for the signed attributes, SignerInfo and SignedData around the certificates and the signature
# (about 600 bytes in practice), with a wide margin.
_CMS_OVERHEAD_BYTES = 2048


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _spki(certificate: x509.Certificate) -> bytes:
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def signature_room(*, certificates: list[x509.Certificate], signature_bytes: int) -> int:
    """Bytes to reserve in the PDF for a CMS object with these certificates (hex doubles the size)."""
    der = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certificates)
    return 2 * (der + signature_bytes + _CMS_OVERHEAD_BYTES)


class KeystoreSigner(Signer):
    """A pyHanko signer whose private key stays in Uzart's cloud keystore; good for one signature."""

    def __init__(
        self,
        *,
        key: CloudKey | None = None,
        pin: str | None = None,
        signer_cert: x509.Certificate,
        chain: list[x509.Certificate],
        actor: Any = None,
        session: KeySession | None = None,
    ) -> None:
        if session is not None:
            if key is not None or pin is not None or actor is not None:
                raise TypeError("give either a key session (it names the actor) or a key with its PIN")
            key = session.key
        elif key is None or pin is None:
            raise TypeError("a KeystoreSigner needs a key and its PIN, or a key session")
        if _spki(signer_cert) != bytes(key.public_key_der):
            raise CertificateKeyMismatch()
        if key.algorithm not in MAX_SIGNATURE_BYTES:
            raise SigningFailed()
        super().__init__(
            signing_cert=_asn1_certificate(signer_cert),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(c) for c in chain]),
            embed_roots=True,
        )
        self._key = key
        self._pin: str | None = pin
        self._session = session
        self._signed = False
        self._actor = actor
        self.keystore_calls = 0

    def __repr__(self) -> str:
        return f"<KeystoreSigner key={self._key.pk}>"

    @property
    def max_signature_bytes(self) -> int:
        return MAX_SIGNATURE_BYTES[CloudKey.Algorithm(self._key.algorithm)]

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        """Sign the DER signed attributes with the cloud key (key_sign hashes them with SHA-256)."""
        if digest_algorithm.lower() != DIGEST:
            raise SigningError(f"the keystore signs SHA-256 digests only, not {digest_algorithm}")
        if dry_run:
            return bytes(self.max_signature_bytes)
        if self._signed:
            raise SigningError("a KeystoreSigner signs one document only")
        self._signed = True
        signature: bytes
        if self._session is not None:
            signature = await sync_to_async(self._session.sign, thread_sensitive=True)(data)
        else:
            pin, self._pin = self._pin, None
            assert pin is not None
            signature = await sync_to_async(key_sign, thread_sensitive=True)(
                key=self._key, pin=pin, data=data, actor=self._actor
            )
        self.keystore_calls += 1
        return signature


def _sign(*, pdf: bytes, signer: Signer, reason: str, location: str, bytes_reserved: int) -> bytes:
    metadata = PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm=DIGEST,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )

    async def run() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = await PdfSigner(metadata, signer=signer).async_sign_pdf(
            writer, bytes_reserved=bytes_reserved
        )
        return bytes(output.getvalue())

    return async_to_sync(run)()


def pdf_sign(
    *,
    pdf: bytes,
    signer_cert: x509.Certificate,
    chain: list[x509.Certificate],
    key: CloudKey | None = None,
    pin: str | None = None,
    reason: str,
    location: str = "Bishkek",
    actor: Any = None,
    session: KeySession | None = None,
) -> bytes:
    """Sign ``pdf`` PAdES-B-B with the holder's cloud key (key and PIN, or a key session); one keystore call."""
    signer = KeystoreSigner(
        key=key, pin=pin, session=session, signer_cert=signer_cert, chain=chain, actor=actor
    )
    room = signature_room(certificates=[signer_cert, *chain], signature_bytes=signer.max_signature_bytes)
    return _sign(pdf=pdf, signer=signer, reason=reason, location=location, bytes_reserved=room)


def pdf_sign_with_private_key(
    *,
    pdf: bytes,
    signer_cert: x509.Certificate,
    chain: list[x509.Certificate],
    private_key: PrivateKeyTypes,
    reason: str,
    location: str = "Bishkek",
) -> bytes:
    """Sign ``pdf`` PAdES-B-B with a private key held in memory (tests, benchmarks, CA-side tools)."""
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = SimpleSigner(
        signing_cert=_asn1_certificate(signer_cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(c) for c in chain]),
    )
    room = signature_room(certificates=[signer_cert, *chain], signature_bytes=512)
    return _sign(pdf=pdf, signer=signer, reason=reason, location=location, bytes_reserved=room)


@dataclass(frozen=True)
class ValidationReport:
    """What Uzart concluded about a PDF's signature; ``problems`` are translated sentences."""

    intact: bool = False
    valid: bool = False
    trusted: bool = False
    bottom_line: bool = False
    signer_subject: str = ""
    signer_serial: str = ""
    signing_time: dt.datetime | None = None
    modification_level: str = ""
    problems: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)


def _subject(certificate: asn1_x509.Certificate) -> str:
    return x509.load_der_x509_certificate(certificate.dump()).subject.rfc4514_string()


def _trust_problem(indication: AdESSubIndic | None) -> str:
    name = getattr(indication, "name", "")
    if name in {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}:
        return _("The signer's certificate has been revoked.")
    if name in {"EXPIRED", "NOT_YET_VALID", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}:
        return _("The signer's certificate was not valid at the time of the check.")
    if name == "NO_CERTIFICATE_CHAIN_FOUND":
        return _("The signer's certificate does not chain to a trusted certificate of the operator's CA.")
    return _("The signer's certificate is not trusted for signing.")


def pdf_validate(*, pdf: bytes, trust_roots: list[x509.Certificate]) -> ValidationReport:
    """Check the PDF's signature against ``trust_roots`` with no network; never raises on bad input."""
    try:
        signatures = list(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:
        logger.info("a PDF to validate could not be read", exc_info=True)
        return ValidationReport(problems=[_("The file is not a readable PDF document.")])
    if not signatures:
        return ValidationReport(problems=[_("The document has no signature.")])
    context = ValidationContext(
        trust_roots=[_asn1_certificate(root) for root in trust_roots], allow_fetching=False
    )
    try:
        status = validate_pdf_signature(signatures[0], signer_validation_context=context)
    except Exception:
        logger.info("a PDF signature could not be validated", exc_info=True)
        return ValidationReport(
            problems=[_("The signature could not be checked: it is damaged or in an unknown format.")]
        )

    problems = []
    if not status.intact:
        problems.append(_("The signed content has changed: this is not the document that was signed."))
    elif not status.valid:
        problems.append(_("The signature value does not match the signer's certificate."))
    elif not status.trusted:
        problems.append(_trust_problem(status.trust_problem_indic))
    level = status.modification_level
    if status.intact and (level is None or level.name != "NONE" or status.docmdp_ok is False):
        problems.append(_("The document was changed after it was signed."))
    if len(signatures) > 1:
        problems.append(
            ngettext(
                "The document carries %(count)d signature; a request document carries one.",
                "The document carries %(count)d signatures; a request document carries one.",
                len(signatures),
            )
            % {"count": len(signatures)}
        )
    chain = (
        [_subject(c) for c in status.validation_path.iter_certs(include_root=True)]
        if status.validation_path is not None
        else []
    )
    cert = status.signing_cert
    return ValidationReport(
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        bottom_line=bool(status.bottom_line) and not problems,
        signer_subject=_subject(cert) if cert is not None else "",
        signer_serial=format(cert.serial_number, "x") if cert is not None else "",
        signing_time=status.signer_reported_dt,
        modification_level=level.name if level is not None else "",
        problems=problems,
        chain=chain,
    )
