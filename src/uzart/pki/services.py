"""Writes of the certificate authority: CA setup, issuance, enrolment, revocation, CRLs, OCSP.

Every signature is made by a key in the keystore (``keysigner``); the CA keys are opened with the
CA PIN from ``conf.ca_pin()``. Key signatures are audited by the keystore; the events below record
what was issued or revoked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from django.db import transaction
from django.db.models import Q

from uzart import clock
from uzart.accounts.models import Company, Membership, User
from uzart.audit.services import audit_record
from uzart.keystore.errors import KeyLocked, KeystoreUnavailable, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_generate, key_public
from uzart.pki import conf, profiles
from uzart.pki.errors import (
    AlreadyRevoked,
    CsrSignatureInvalid,
    DuplicateCertificate,
    InvalidValidity,
    KeyMismatch,
    NotAHolder,
    UnsupportedKey,
)
from uzart.pki.keysigner import keystore_signer
from uzart.pki.models import Certificate, CertificateAuthority, OcspResponse, RevocationReason
from uzart.pki.selectors import ca_issuer_of, ca_issuing_current
from uzart.pki.validity import add_years

logger = logging.getLogger(__name__)

HOLDER_ROLES = (Membership.Role.HEAD, Membership.Role.SIGNER)


def _whole_seconds(instant: dt.datetime) -> dt.datetime:
    """X.509 times have whole seconds; store exactly what the certificate says."""
    if instant.tzinfo is None:
        raise ValueError("certificate times must be timezone-aware")
    return instant.astimezone(dt.UTC).replace(microsecond=0)


def _ca_signer(ca: CertificateAuthority) -> Any:
    return keystore_signer(key=ca.key, pin=conf.ca_pin())


def _links(issuer: CertificateAuthority, *, with_ocsp: bool = True) -> profiles.IssuerLinks:
    return profiles.IssuerLinks(
        crl_url=conf.public_url("crl", name=issuer.name),
        ocsp_url=conf.public_url("ocsp") if with_ocsp else None,
        ca_issuers_url=conf.public_url("ca_certificate", name=issuer.name),
    )


def _free_name(base: str) -> str:
    name, number = base, 1
    while CertificateAuthority.objects.filter(name=name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


def _store_ca(
    *,
    name: str,
    role: str,
    parent: CertificateAuthority | None,
    key: CloudKey,
    certificate: x509.Certificate,
) -> CertificateAuthority:
    return CertificateAuthority.objects.create(
        name=name,
        role=role,
        parent=parent,
        key=key,
        certificate_der=certificate.public_bytes(Encoding.DER),
        serial=profiles.serial_hex(certificate.serial_number),
        subject=certificate.subject.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        created_at=clock.now(),
    )


@transaction.atomic
def ca_init(
    *,
    algorithm: str = "ec-p256",
    organization: str | None = None,
    not_before: dt.datetime | None = None,
    actor: User | None = None,
) -> tuple[CertificateAuthority, CertificateAuthority, bool]:
    """Create the root and issuing CAs with keys in the keystore, unless a valid issuing CA exists.

    ``not_before`` back-dates the CAs (an operator moving existing holders in, or the demo, whose
    holders' certificates started a year ago). Returns (root, issuing, created).
    """
    existing = CertificateAuthority.objects.issuing().valid_at(clock.now()).select_related("parent").first()
    if existing is not None:
        assert existing.parent is not None
        return existing.parent, existing, False
    if algorithm not in CloudKey.Algorithm.values:
        raise ValueError(f"unsupported CA algorithm {algorithm!r}")
    if organization is None:
        from uzart.accounts.selectors import operator_profile_get

        organization = str(operator_profile_get().name)
    now = _whole_seconds(min(not_before, clock.now()) if not_before is not None else clock.now())
    year = clock.to_bishkek(now).year
    pin = conf.ca_pin()

    root_key = key_generate(
        owner=None, pin=pin, label=f"Uzart root CA {year}", algorithm=algorithm, purpose="ca", actor=actor
    )
    root_certificate = profiles.build_root_certificate(
        name=profiles.ca_name(common_name=f"Uzart Root CA {year}", organization=organization),
        key=keystore_signer(key=root_key, pin=pin, actor=actor),
        not_before=now,
        not_after=add_years(now, conf.ROOT_LIFETIME_YEARS),
    )
    root = _store_ca(
        name=_free_name(f"root-{year}"),
        role=CertificateAuthority.Role.ROOT,
        parent=None,
        key=root_key,
        certificate=root_certificate,
    )

    issuing_key = key_generate(
        owner=None, pin=pin, label=f"Uzart issuing CA {year}", algorithm=algorithm, purpose="ca", actor=actor
    )
    issuing_certificate = profiles.build_subordinate_ca_certificate(
        name=profiles.ca_name(common_name=f"Uzart Issuing CA {year}", organization=organization),
        public_key=_certifiable(key_public(key=issuing_key)),
        issuer=root_certificate,
        issuer_key=keystore_signer(key=root_key, pin=pin, actor=actor),
        not_before=now,
        not_after=add_years(now, conf.ISSUING_LIFETIME_YEARS),
        links=_links(root),
    )
    issuing = _store_ca(
        name=_free_name(f"issuing-{year}"),
        role=CertificateAuthority.Role.ISSUING,
        parent=root,
        key=issuing_key,
        certificate=issuing_certificate,
    )
    for ca in (root, issuing):
        audit_record(
            actor=actor,
            action="ca.create",
            target=ca,
            data={"role": ca.role, "serial": ca.serial, "algorithm": algorithm, "subject": ca.subject},
        )
    crl_generate(ca=root)
    crl_generate(ca=issuing)
    logger.info("created CAs %s and %s", root.name, issuing.name)
    return root, issuing, True


def _certifiable(public_key: PublicKeyTypes) -> CertificatePublicKeyTypes:
    try:
        return profiles.check_holder_public_key(public_key)
    except ValueError:
        raise UnsupportedKey() from None


def _require_holder(*, owner: User, company: Company) -> Membership:
    membership = (
        Membership.objects.filter(user=owner, company=company, role__in=HOLDER_ROLES).order_by("role").first()
    )
    if membership is None:
        raise NotAHolder(name=owner.full_name, company=company.legal_name)
    return membership


def _check_cloud_key(
    *, key: CloudKey | None, storage: str, owner: User, public_key: CertificatePublicKeyTypes
) -> None:
    if storage == Certificate.Storage.TOKEN:
        if key is not None:
            raise KeyMismatch()
        return
    if storage != Certificate.Storage.CLOUD or key is None:
        raise KeyMismatch()
    if key.owner_id != owner.pk or key.purpose != CloudKey.Purpose.HOLDER:
        raise KeyMismatch()
    if profiles.spki_sha256(_certifiable(key_public(key=key))) != profiles.spki_sha256(public_key):
        raise KeyMismatch()


def _fresh_serial() -> int:
    while True:
        serial = profiles.random_serial()
        if not Certificate.objects.filter(serial=profiles.serial_hex(serial)).exists():
            return serial


def _holder_subject(*, owner: User, company: Company, position: str) -> profiles.HolderSubject:
    return profiles.HolderSubject(
        full_name=owner.full_name,
        surname=owner.surname,
        given_names=" ".join(part for part in (owner.given_name, owner.patronymic) if part),
        organization=company.legal_name,
        position=position,
        inn=company.inn,
        email=owner.email,
    )


def _store_certificate(
    *,
    certificate: x509.Certificate,
    owner: User,
    company: Company,
    issuer: CertificateAuthority,
    key: CloudKey | None,
    storage: str,
    position: str,
    predecessor: Certificate | None,
) -> Certificate:
    emails = profiles.emails_of(certificate)
    row = Certificate.objects.create(
        owner=owner,
        company=company,
        key=key,
        storage=storage,
        issuer=issuer,
        serial=profiles.serial_hex(certificate.serial_number),
        der=certificate.public_bytes(Encoding.DER),
        common_name=profiles.first_attribute(certificate.subject, NameOID.COMMON_NAME)[:200],
        position=position[:150],
        email=emails[0] if emails else "",
        spki_sha256=profiles.spki_sha256(_certifiable(certificate.public_key())),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        predecessor=predecessor,
        created_at=clock.now(),
    )
    # A response cached for this serial before it existed ("unknown") must not be served again.
    OcspResponse.objects.filter(authority=issuer, serial=row.serial).delete()
    return row


@transaction.atomic
def certificate_issue(
    *,
    owner: User,
    company: Company,
    position: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    public_key: PublicKeyTypes | None = None,
    csr: x509.CertificateSigningRequest | None = None,
    key: CloudKey | None = None,
    storage: str = Certificate.Storage.CLOUD,
    predecessor: Certificate | None = None,
    actor: User | None = None,
) -> Certificate:
    """Issue a holder certificate for a public key (or a CSR whose signature is checked)."""
    if (public_key is None) == (csr is None):
        raise ValueError("give exactly one of public_key and csr")
    if csr is not None:
        if not csr.is_signature_valid:
            raise CsrSignatureInvalid()
        public_key = csr.public_key()
    assert public_key is not None
    subject_key = _certifiable(public_key)
    _check_cloud_key(key=key, storage=storage, owner=owner, public_key=subject_key)
    _require_holder(owner=owner, company=company)
    start, end = _whole_seconds(not_before), _whole_seconds(not_after)
    issuer = ca_issuing_current()
    if not (issuer.not_before <= start < end <= issuer.not_after):
        raise InvalidValidity()
    certificate = profiles.build_holder_certificate(
        subject=_holder_subject(owner=owner, company=company, position=position),
        public_key=subject_key,
        issuer=issuer.certificate,
        issuer_key=_ca_signer(issuer),
        serial=_fresh_serial(),
        not_before=start,
        not_after=end,
        links=_links(issuer),
    )
    row = _store_certificate(
        certificate=certificate,
        owner=owner,
        company=company,
        issuer=issuer,
        key=key,
        storage=storage,
        position=position,
        predecessor=predecessor,
    )
    audit_record(
        actor=actor,
        action="certificate.issue",
        target=row,
        data={
            "serial": row.serial,
            "owner": owner.email,
            "company": company.inn,
            "storage": storage,
            "not_before": row.not_before.isoformat(),
            "not_after": row.not_after.isoformat(),
            "predecessor": predecessor.serial if predecessor else None,
            "key_fingerprint": row.spki_sha256,
        },
    )
    return row


@transaction.atomic
def certificate_enrol(
    *,
    user: User,
    company: Company,
    pin: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    algorithm: str = CloudKey.Algorithm.EC_P256,
    predecessor: Certificate | None = None,
    actor: User | None = None,
) -> Certificate:
    """Generate the holder's key in the cloud keystore under ``pin`` and issue its certificate."""
    membership = _require_holder(owner=user, company=company)
    key = key_generate(
        owner=user,
        pin=pin,
        label=f"EDS {user.email} {company.inn}",
        algorithm=algorithm,
        purpose=CloudKey.Purpose.HOLDER,
        actor=actor or user,
    )
    return certificate_issue(
        owner=user,
        company=company,
        position=membership.position,
        not_before=not_before,
        not_after=not_after,
        public_key=key_public(key=key),
        key=key,
        storage=Certificate.Storage.CLOUD,
        predecessor=predecessor,
        actor=actor,
    )


@transaction.atomic
def certificate_record(
    *,
    owner: User,
    company: Company,
    certificate: x509.Certificate,
    position: str = "",
    key: CloudKey | None = None,
    predecessor: Certificate | None = None,
    actor: User | None = None,
) -> Certificate:
    """Record a certificate the operator's CA issued earlier: on a token, or for a key already in the cloud."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.ca:
        raise UnsupportedKey()
    issuer = ca_issuer_of(certificate=certificate)
    serial = profiles.serial_hex(certificate.serial_number)
    if Certificate.objects.filter(serial=serial).exists():
        raise DuplicateCertificate(serial=serial)
    storage = Certificate.Storage.TOKEN if key is None else Certificate.Storage.CLOUD
    _check_cloud_key(key=key, storage=storage, owner=owner, public_key=_certifiable(certificate.public_key()))
    membership = _require_holder(owner=owner, company=company)
    row = _store_certificate(
        certificate=certificate,
        owner=owner,
        company=company,
        issuer=issuer,
        key=key,
        storage=storage,
        position=position or membership.position,
        predecessor=predecessor,
    )
    audit_record(
        actor=actor,
        action="certificate.record",
        target=row,
        data={"serial": serial, "owner": owner.email, "company": company.inn, "storage": storage},
    )
    return row


def certificate_record_token(
    *,
    owner: User,
    company: Company,
    certificate: x509.Certificate,
    position: str = "",
    predecessor: Certificate | None = None,
    actor: User | None = None,
) -> Certificate:
    """Record a certificate whose key is on the holder's hardware token (no cloud key)."""
    return certificate_record(
        owner=owner,
        company=company,
        certificate=certificate,
        position=position,
        predecessor=predecessor,
        actor=actor,
    )


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, reason: str = RevocationReason.UNSPECIFIED, actor: User | None
) -> Certificate:
    """Revoke a certificate now and publish a new CRL of its issuer."""
    if reason not in RevocationReason.values:
        raise ValueError(f"unknown revocation reason {reason!r}")
    now = _whole_seconds(clock.now())
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=now, revocation_reason=reason
    )
    if updated != 1:
        raise AlreadyRevoked()
    certificate.revoked_at, certificate.revocation_reason = now, reason
    OcspResponse.objects.filter(authority_id=certificate.issuer_id, serial=certificate.serial).delete()
    audit_record(
        actor=actor,
        action="certificate.revoke",
        target=certificate,
        data={"serial": certificate.serial, "reason": reason},
    )
    crl_generate(ca=certificate.issuer)
    return certificate


@transaction.atomic
def crl_generate(*, ca: CertificateAuthority) -> bytes:
    """Sign and store a new complete CRL of ``ca``; return it (DER)."""
    row = CertificateAuthority.objects.select_for_update().select_related("key").get(pk=ca.pk)
    this_update = _whole_seconds(clock.now())
    next_update = this_update + conf.CRL_LIFETIME
    revoked = (
        Certificate.objects.issued_by(row)
        .filter(revoked_at__isnull=False, not_after__gt=this_update)
        .order_by("revoked_at", "pk")
        .values_list("serial", "revoked_at", "revocation_reason")
    )
    entries = [
        profiles.RevokedEntry(
            serial=int(serial, 16), revoked_at=revoked_at, reason=RevocationReason(reason).flag
        )
        for serial, revoked_at, reason in revoked
    ]
    number = row.next_crl_number
    crl = profiles.build_crl(
        issuer=row.certificate,
        issuer_key=_ca_signer(row),
        number=number,
        this_update=this_update,
        next_update=next_update,
        entries=entries,
    )
    der = crl.public_bytes(Encoding.DER)
    row.crl_der, row.crl_this_update, row.crl_next_update = der, this_update, next_update
    row.next_crl_number = number + 1
    row.save(update_fields=["crl_der", "crl_this_update", "crl_next_update", "next_crl_number"])
    ca.crl_der, ca.crl_this_update, ca.crl_next_update, ca.next_crl_number = (
        der,
        this_update,
        next_update,
        number + 1,
    )
    audit_record(
        actor=None, action="crl.generate", target=row, data={"crl_number": number, "entries": len(entries)}
    )
    return der


def crl_current(*, ca: CertificateAuthority) -> bytes:
    """The CA's latest CRL; a new one is signed when none exists or the stored one has expired."""
    if ca.crl_der and ca.crl_next_update and ca.crl_next_update > clock.now():
        return bytes(ca.crl_der)
    return crl_generate(ca=ca)


def crl_refresh_due(*, at: dt.datetime | None = None) -> int:
    """Re-sign every CRL with less than a day left, and drop stale OCSP responses; for the scheduler.

    Safe to run twice or in parallel: ``crl_generate`` locks the CA row, and a CRL refreshed by
    another run is no longer due when this one looks again. Returns how many CRLs were signed.
    """
    now = at or clock.now()
    signed = 0
    due = CertificateAuthority.objects.valid_at(now).filter(
        Q(crl_next_update__isnull=True) | Q(crl_next_update__lte=now + conf.CRL_REFRESH_MARGIN)
    )
    for ca in due:
        with transaction.atomic():
            fresh = CertificateAuthority.objects.select_for_update().get(pk=ca.pk)
            if fresh.crl_next_update is not None and fresh.crl_next_update > now + conf.CRL_REFRESH_MARGIN:
                continue
            crl_generate(ca=fresh)
            signed += 1
    OcspResponse.objects.filter(reuse_until__lte=now).delete()
    return signed


# --- OCSP (RFC 6960) -------------------------------------------------------------------------

_OCSP_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _ca_for_request(request: ocsp.OCSPRequest) -> CertificateAuthority | None:
    algorithm = request.hash_algorithm
    if algorithm.name not in _OCSP_HASHES:
        return None
    for ca in CertificateAuthority.objects.select_related("key").order_by("-created_at"):
        name_hash, key_hash = profiles.issuer_hashes(ca.certificate, algorithm)
        if name_hash == request.issuer_name_hash and key_hash == request.issuer_key_hash:
            return ca
    return None


def _ocsp_answer(*, ca: CertificateAuthority, serial: str, now: dt.datetime) -> profiles.OcspAnswer:
    row: Certificate | CertificateAuthority | None
    if ca.role == CertificateAuthority.Role.ISSUING:
        row = Certificate.objects.filter(issuer=ca, serial=serial).first()
        if row is not None and row.revoked_at is not None and row.revoked_at <= now:
            return profiles.OcspAnswer(
                status=ocsp.OCSPCertStatus.REVOKED,
                revoked_at=row.revoked_at,
                reason=RevocationReason(row.revocation_reason).flag,
            )
    else:
        row = CertificateAuthority.objects.filter(parent=ca, serial=serial).first()
    if row is None:
        return profiles.OcspAnswer(status=ocsp.OCSPCertStatus.UNKNOWN)
    return profiles.OcspAnswer(status=ocsp.OCSPCertStatus.GOOD)


def ocsp_respond(*, request_der: bytes) -> bytes:
    """Answer one DER OCSP request: good, revoked (time and reason) or unknown, signed by the issuer.

    Responses are kept and served again until half their lifetime has passed (RFC 5019), so a
    request's nonce is not echoed; a response whose status is no longer right is never served.
    """
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        ca = _ca_for_request(request)
    except (ValueError, NotImplementedError, TypeError):
        return profiles.ocsp_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
            Encoding.DER
        )
    if ca is None:
        return profiles.ocsp_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(Encoding.DER)
    now = clock.now()
    serial = profiles.serial_hex(request.serial_number)
    answer = _ocsp_answer(ca=ca, serial=serial, now=now)
    status = answer.status.name.lower()
    hash_name = request.hash_algorithm.name
    cached = (
        OcspResponse.objects.filter(
            authority=ca, serial=serial, hash_algorithm=hash_name, status=status, reuse_until__gt=now
        )
        .values_list("der", flat=True)
        .first()
    )
    if cached is not None:
        return bytes(cached)
    try:
        return _ocsp_sign_and_keep(request=request, ca=ca, answer=answer, serial=serial, now=now)
    except (WrongPin, KeyLocked, KeystoreUnavailable) as exc:
        logger.error(
            "OCSP: CA %s cannot sign (%s); check UZART_CA_PIN and the keystore", ca.name, type(exc).__name__
        )
        status_code = (
            ocsp.OCSPResponseStatus.TRY_LATER
            if isinstance(exc, KeystoreUnavailable)
            else ocsp.OCSPResponseStatus.INTERNAL_ERROR
        )
        return profiles.ocsp_unsuccessful(status_code).public_bytes(Encoding.DER)


def _ocsp_sign_and_keep(
    *,
    request: ocsp.OCSPRequest,
    ca: CertificateAuthority,
    answer: profiles.OcspAnswer,
    serial: str,
    now: dt.datetime,
) -> bytes:
    hash_name = request.hash_algorithm.name
    status = answer.status.name.lower()
    # Inside a transaction like every CA signature: a misconfigured CA PIN is rolled back, never
    # counted towards locking the CA key (the PIN comes only from configuration).
    with transaction.atomic():
        this_update = _whole_seconds(now)
        response = profiles.build_ocsp_response(
            request=request,
            answer=answer,
            responder=ca.certificate,
            responder_key=_ca_signer(ca),
            this_update=this_update,
            next_update=this_update + conf.OCSP_RESPONSE_LIFETIME,
        )
        der = response.public_bytes(Encoding.DER)
        OcspResponse.objects.bulk_create(
            [
                OcspResponse(
                    authority=ca,
                    serial=serial,
                    hash_algorithm=hash_name,
                    status=status,
                    der=der,
                    this_update=this_update,
                    reuse_until=this_update + conf.OCSP_RESPONSE_LIFETIME / 2,
                )
            ],
            update_conflicts=True,
            unique_fields=["authority", "serial", "hash_algorithm"],
            update_fields=["status", "der", "this_update", "reuse_until"],
        )
    return der


@transaction.atomic
def certificate_import(
    *,
    plans: list[Any],
    actor: User | None = None,
    progress: Callable[[], object] | None = None,
) -> list[Certificate]:
    """Write checked imports (``importing.import_plan``) in one transaction: all of them or none."""
    from uzart.accounts.services import membership_add, user_create

    recorded = []
    for plan in plans:
        user = plan.user or User.objects.filter(email=plan.email).first()
        if user is None:
            user = user_create(email=plan.email, password=None, actor=actor, **plan.new_user)
        if not Membership.objects.filter(user=user, company=plan.company, role__in=HOLDER_ROLES).exists():
            membership_add(
                user=user, company=plan.company, role=plan.role, position=plan.position, actor=actor
            )
        recorded.append(
            certificate_record(
                owner=user,
                company=plan.company,
                certificate=plan.certificate,
                position=plan.position,
                key=plan.key,
                actor=actor,
            )
        )
        if progress is not None:
            progress()
    audit_record(actor=actor, action="certificate.import", data={"count": len(recorded)})
    return recorded
