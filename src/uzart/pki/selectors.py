"""Reads of the certificate authority: active certificates, CAs and their public chain."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from django.db.models import QuerySet

from uzart import clock
from uzart.accounts.models import Company, User
from uzart.errors import NotFound
from uzart.pki.errors import CaNotReady, NotIssuedHere
from uzart.pki.models import Certificate, CertificateAuthority


def certificate_active_for(
    *, user: User, at: dt.datetime | None = None, company: Company | None = None
) -> Certificate | None:
    """The holder's certificate in force at ``at`` with the latest not_before (the successor wins)."""
    qs = Certificate.objects.for_owner(user).in_force(at=at or clock.now())
    if company is not None:
        qs = qs.filter(company=company)
    return qs.select_related("company", "issuer", "key").order_by("-not_before", "-pk").first()


def certificate_list_for_owner(*, user: User) -> QuerySet[Certificate]:
    """All certificates of a holder, newest first."""
    return (
        Certificate.objects.for_owner(user).select_related("company", "issuer").order_by("-not_before", "-pk")
    )


def certificate_get_by_serial(*, serial: str) -> Certificate:
    """The certificate with this hexadecimal serial number."""
    certificate = Certificate.objects.filter(serial=serial.lower().lstrip("0") or "0").first()
    if certificate is None:
        raise NotFound()
    return certificate


def ca_issuing_current(*, at: dt.datetime | None = None) -> CertificateAuthority:
    """The issuing CA that signs new certificates: the newest one valid now."""
    ca = (
        CertificateAuthority.objects.issuing()
        .valid_at(at or clock.now())
        .select_related("parent", "key")
        .order_by("-created_at", "-pk")
        .first()
    )
    if ca is None:
        raise CaNotReady()
    return ca


def ca_get(*, name: str) -> CertificateAuthority:
    """A CA by its name (as in its CRL address)."""
    ca = CertificateAuthority.objects.filter(name=name).select_related("key").first()
    if ca is None:
        raise NotFound()
    return ca


def ca_chain(*, at: dt.datetime | None = None) -> list[CertificateAuthority]:
    """The current issuing CA followed by its ancestors up to the root."""
    chain = [ca_issuing_current(at=at)]
    while chain[-1].parent_id is not None:
        parent = chain[-1].parent
        assert parent is not None
        chain.append(parent)
    return chain


def ca_chain_pem(*, at: dt.datetime | None = None) -> str:
    """The public chain in PEM: the issuing CA, then the root."""
    return "".join(ca.certificate.public_bytes(Encoding.PEM).decode("ascii") for ca in ca_chain(at=at))


def ca_issuer_of(*, certificate: x509.Certificate) -> CertificateAuthority:
    """The operator CA whose key signed ``certificate``; NotIssuedHere if none did."""
    for ca in CertificateAuthority.objects.filter(subject=certificate.issuer.rfc4514_string()):
        try:
            certificate.verify_directly_issued_by(ca.certificate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return ca
    raise NotIssuedHere()
