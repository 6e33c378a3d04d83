"""A small certificate authority for the signing tests, built with cryptography: root → issuing CA → holders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID


def _name(common_name: str, **extra: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "KG")]
    if "organization" in extra:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra["organization"]))
    if "serial" in extra:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, extra["serial"]))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    *,
    subject: x509.Name,
    public_key: CertificatePublicKeyTypes,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_key_usage(ca=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if subject != issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class SmallCA:
    root: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    issuing: x509.Certificate
    issuing_key: ec.EllipticCurvePrivateKey

    @classmethod
    def create(cls, name: str = "Uzart Test") -> SmallCA:
        now = dt.datetime.now(dt.UTC)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name(f"{name} Root CA", organization=name)
        root = _certificate(
            subject=root_name,
            public_key=root_key.public_key(),
            issuer=root_name,
            issuer_key=root_key,
            ca=True,
            not_before=now - dt.timedelta(days=3650),
            not_after=now + dt.timedelta(days=3650),
        )
        issuing_key = ec.generate_private_key(ec.SECP256R1())
        issuing = _certificate(
            subject=_name(f"{name} Issuing CA", organization=name),
            public_key=issuing_key.public_key(),
            issuer=root_name,
            issuer_key=root_key,
            ca=True,
            not_before=now - dt.timedelta(days=3650),
            not_after=now + dt.timedelta(days=3000),
        )
        return cls(root=root, root_key=root_key, issuing=issuing, issuing_key=issuing_key)

    @property
    def chain(self) -> list[x509.Certificate]:
        """The CA certificates a signature carries, issuing CA first."""
        return [self.issuing, self.root]

    def issue(
        self,
        public_key: CertificatePublicKeyTypes,
        common_name: str = "Проверкина Проверка Проверковна",
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> x509.Certificate:
        """A holder's EDS certificate for ``public_key``, valid for a year from yesterday by default."""
        now = dt.datetime.now(dt.UTC)
        return _certificate(
            subject=_name(common_name, organization='ОсОО "Тест"', serial="INN07777777777777"),
            public_key=public_key,
            issuer=self.issuing.subject,
            issuer_key=self.issuing_key,
            ca=False,
            not_before=not_before or now - dt.timedelta(days=1),
            not_after=not_after or now + dt.timedelta(days=365),
        )


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
