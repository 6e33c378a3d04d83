"""Certificate, CRL and OCSP profiles: pure builders, no database, any issuer key object.

The signing key may be an in-memory key (unit tests) or a keystore key from ``keysigner``.
Documented in docs/pki.md; change them together.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from uzart.pki import conf


def random_serial() -> int:
    """A random positive serial number of at most 159 bits (at most 20 octets in DER)."""
    while True:
        serial = secrets.randbits(conf.SERIAL_BITS)
        if serial:
            return serial


def serial_hex(serial: int) -> str:
    """The stored form of a serial number: lowercase hexadecimal without leading zeros."""
    return format(serial, "x")


def spki_sha256(public_key: CertificatePublicKeyTypes) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, hex: the key's fingerprint in documents and lookups."""
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex()


def check_holder_public_key(public_key: object) -> CertificatePublicKeyTypes:
    """Accept EC P-256 and RSA 2048-4096 public keys; raise ValueError for anything else."""
    if isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1):
        return public_key
    if isinstance(public_key, rsa.RSAPublicKey) and 2048 <= public_key.key_size <= 4096:
        return public_key
    raise ValueError("holder keys must be EC P-256 or RSA 2048-4096")


def _bounded(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text[:limit].rstrip()


@dataclass(frozen=True)
class HolderSubject:
    """What a holder certificate says about its holder and company."""

    full_name: str
    surname: str
    given_names: str  # given name and patronymic, as in Russian and Kyrgyz certificate practice
    organization: str
    position: str
    inn: str
    email: str

    def name(self) -> x509.Name:
        """The subject distinguished name (order: C, O, organizationIdentifier, title, SN, GN, CN)."""
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, conf.COUNTRY),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, _bounded(self.organization, conf.UB_ORGANIZATION_NAME)
            ),
            x509.NameAttribute(
                NameOID.ORGANIZATION_IDENTIFIER, conf.ORGANIZATION_IDENTIFIER_PREFIX + self.inn
            ),
        ]
        if self.position.strip():
            attributes.append(x509.NameAttribute(NameOID.TITLE, _bounded(self.position, conf.UB_TITLE)))
        if self.surname.strip():
            attributes.append(x509.NameAttribute(NameOID.SURNAME, _bounded(self.surname, 128)))
        if self.given_names.strip():
            attributes.append(x509.NameAttribute(NameOID.GIVEN_NAME, _bounded(self.given_names, 128)))
        attributes.append(
            x509.NameAttribute(NameOID.COMMON_NAME, _bounded(self.full_name, conf.UB_COMMON_NAME))
        )
        return x509.Name(attributes)


def ca_name(*, common_name: str, organization: str) -> x509.Name:
    """The distinguished name of a CA of the operator."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, conf.COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _bounded(organization, conf.UB_ORGANIZATION_NAME)),
            x509.NameAttribute(NameOID.COMMON_NAME, _bounded(common_name, conf.UB_COMMON_NAME)),
        ]
    )


def inn_from_name(name: x509.Name) -> str | None:
    """The company INN in a subject: organizationIdentifier NTRKG-<14 digits>."""
    for attribute in name.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER):
        value = str(attribute.value)
        if value.startswith(conf.ORGANIZATION_IDENTIFIER_PREFIX):
            return value.removeprefix(conf.ORGANIZATION_IDENTIFIER_PREFIX)
    return None


def emails_of(certificate: x509.Certificate) -> list[str]:
    """E-mail addresses a certificate names: subjectAltName rfc822Name, then subject emailAddress."""
    found: list[str] = []
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found.extend(san.get_values_for_type(x509.RFC822Name))
    except x509.ExtensionNotFound:
        pass
    found.extend(str(a.value) for a in certificate.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS))
    return [email.strip().lower() for email in found if email.strip()]


def first_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    """The first value of an attribute in a name, or an empty string."""
    attributes = name.get_attributes_for_oid(oid)
    return str(attributes[0].value) if attributes else ""


def _signature_hash(issuer_key: CertificateIssuerPrivateKeyTypes) -> hashes.SHA256:
    if not isinstance(issuer_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise TypeError("CA keys are EC or RSA")
    return hashes.SHA256()


def _key_identifier(public_key: CertificatePublicKeyTypes) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(public_key)


def _authority_key_identifier(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _distribution_points(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]
    )


def _authority_information_access(
    *, ocsp_url: str | None, ca_issuers_url: str
) -> x509.AuthorityInformationAccess:
    descriptions = []
    if ocsp_url:
        descriptions.append(
            x509.AccessDescription(
                x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
            )
        )
    descriptions.append(
        x509.AccessDescription(
            x509.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_issuers_url)
        )
    )
    return x509.AuthorityInformationAccess(descriptions)


@dataclass(frozen=True)
class IssuerLinks:
    """Where relying parties find the issuer's CRL, OCSP responder and certificate."""

    crl_url: str
    ocsp_url: str | None
    ca_issuers_url: str


def build_root_certificate(
    *,
    name: x509.Name,
    key: CertificateIssuerPrivateKeyTypes,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    """A self-signed root CA certificate: CA true without a path length, keyCertSign and cRLSign."""
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(_key_identifier(public_key), critical=False)
        .sign(key, _signature_hash(key))
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,  # signs OCSP responses itself
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def build_subordinate_ca_certificate(
    *,
    name: x509.Name,
    public_key: CertificatePublicKeyTypes,
    issuer: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    not_before: dt.datetime,
    not_after: dt.datetime,
    links: IssuerLinks,
) -> x509.Certificate:
    """An issuing CA certificate: CA true with path length 0, signed by the root."""
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(_key_identifier(public_key), critical=False)
        .add_extension(_authority_key_identifier(issuer), critical=False)
        .add_extension(_distribution_points(links.crl_url), critical=False)
        .add_extension(
            _authority_information_access(ocsp_url=links.ocsp_url, ca_issuers_url=links.ca_issuers_url),
            critical=False,
        )
        .sign(issuer_key, _signature_hash(issuer_key))
    )


def build_holder_certificate(
    *,
    subject: HolderSubject,
    public_key: CertificatePublicKeyTypes,
    issuer: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    links: IssuerLinks,
) -> x509.Certificate:
    """A holder's signing certificate: digitalSignature + nonRepudiation, not a CA."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject.name())
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_key_identifier(public_key), critical=False)
        .add_extension(_authority_key_identifier(issuer), critical=False)
        .add_extension(_distribution_points(links.crl_url), critical=False)
        .add_extension(
            _authority_information_access(ocsp_url=links.ocsp_url, ca_issuers_url=links.ca_issuers_url),
            critical=False,
        )
    )
    if subject.email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(subject.email)]), critical=False
        )
    return builder.sign(issuer_key, _signature_hash(issuer_key))


@dataclass(frozen=True)
class RevokedEntry:
    serial: int
    revoked_at: dt.datetime
    reason: x509.ReasonFlags | None


def build_crl(
    *,
    issuer: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    number: int,
    this_update: dt.datetime,
    next_update: dt.datetime,
    entries: list[RevokedEntry],
) -> x509.CertificateRevocationList:
    """A complete CRL (version 2) with CRL number and authority key identifier."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(_authority_key_identifier(issuer), critical=False)
    )
    for entry in entries:
        revoked = (
            x509.RevokedCertificateBuilder().serial_number(entry.serial).revocation_date(entry.revoked_at)
        )
        if entry.reason is not None and entry.reason != x509.ReasonFlags.unspecified:
            revoked = revoked.add_extension(x509.CRLReason(entry.reason), critical=False)
        builder = builder.add_revoked_certificate(revoked.build())
    return builder.sign(issuer_key, _signature_hash(issuer_key))


@dataclass(frozen=True)
class OcspAnswer:
    status: ocsp.OCSPCertStatus
    revoked_at: dt.datetime | None = None
    reason: x509.ReasonFlags | None = None


def build_ocsp_response(
    *,
    request: ocsp.OCSPRequest,
    answer: OcspAnswer,
    responder: x509.Certificate,
    responder_key: CertificateIssuerPrivateKeyTypes,
    this_update: dt.datetime,
    next_update: dt.datetime,
) -> ocsp.OCSPResponse:
    """A signed OCSP response for the one certificate asked about (no nonce: responses are reused)."""
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status=answer.status,
            this_update=this_update,
            next_update=next_update,
            revocation_time=answer.revoked_at,
            revocation_reason=answer.reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder)
    )
    return builder.sign(responder_key, _signature_hash(responder_key))


def ocsp_unsuccessful(status: ocsp.OCSPResponseStatus) -> ocsp.OCSPResponse:
    """An unsigned OCSP error response (malformed request, unauthorized, internal error)."""
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status)


def issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of a CA as an OCSP request names it (RFC 6960 4.1.1)."""
    from cryptography.hazmat.primitives import serialization

    name_digest = hashes.Hash(algorithm)
    name_digest.update(issuer.subject.public_bytes())
    key_bits = issuer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_digest = hashes.Hash(algorithm)
    key_digest.update(_subject_public_key_bits(key_bits))
    return name_digest.finalize(), key_digest.finalize()


def _subject_public_key_bits(spki_der: bytes) -> bytes:
    """The BIT STRING contents (without the unused-bits octet) of a DER SubjectPublicKeyInfo."""
    from asn1crypto import keys

    info = keys.PublicKeyInfo.load(spki_der)
    return bytes(info["public_key"].contents[1:])
