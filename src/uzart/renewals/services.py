"""Every write of the renewal flow: submit, cancel, claim, release, approve, reject, office renewal.

Each transition is guarded by a conditional update on the request's status (see ``transitions.py``)
and writes its money movement, timeline event, audit row and notification in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from uzart import clock
from uzart.accounts.models import Company, User
from uzart.audit.services import audit_record
from uzart.billing.errors import InsufficientFunds
from uzart.billing.models import LedgerEntry, Tariff
from uzart.billing.selectors import tariff_current
from uzart.billing.services import ledger_debit, ledger_refund, ledger_topup
from uzart.errors import NotFound, PermissionDenied
from uzart.keystore.models import CloudKey
from uzart.keystore.services import KeySession, key_generate_session, key_session
from uzart.outbox.services import notification_enqueue
from uzart.pki.keysigner import keystore_signer
from uzart.pki.models import Certificate
from uzart.pki.profiles import spki_sha256
from uzart.pki.selectors import ca_chain
from uzart.pki.services import certificate_issue
from uzart.pki.validity import add_years
from uzart.renewals.attachments import Scan, scans_check
from uzart.renewals.errors import (
    DetailsNotConfirmed,
    NothingToRenew,
    NotYourClaim,
    ReasonRequired,
    SignatureInvalid,
    TransitionNotAllowed,
)
from uzart.renewals.models import (
    Channel,
    PaymentMethod,
    RenewalAttachment,
    RenewalEvent,
    RenewalRequest,
    Status,
)
from uzart.renewals.selectors import (
    RenewalPreview,
    expiry_date,
    membership_for_certificate,
    queue_position,
    renewal_preview,
    request_text,
)
from uzart.renewals.transitions import TRANSITIONS, allowed, target_status
from uzart.signing.documents import render_request_pdf
from uzart.signing.errors import SigningFailed
from uzart.signing.pades import pdf_sign, pdf_validate
from uzart.workdays.selectors import last_day_to_send

logger = logging.getLogger(__name__)

_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class _AlreadyOpen(Exception):
    def __init__(self, request: RenewalRequest) -> None:
        self.request = request


def _new_number(at: dt.datetime) -> str:
    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(5))
    return f"{clock.to_bishkek(at):%y%m%d}-{suffix}"


def _date(instant: dt.datetime) -> str:
    return f"{clock.to_bishkek(instant):%d.%m.%Y}"


def _event(request: RenewalRequest, *, actor: User | None, note: str = "") -> None:
    RenewalEvent.objects.create(
        request=request, at=clock.now(), status=request.status, actor=actor, note=note
    )


def _notify(request: RenewalRequest, kind: str, **params: Any) -> None:
    notification_enqueue(
        user=request.holder,
        kind=kind,
        params={"number": request.number, **params},
        link=f"/renewals/{request.number}/",
    )


def _build_csr(*, certificate: Certificate, session: KeySession) -> x509.CertificateSigningRequest:
    """A CSR for the session's (new) key, signed inside the keystore with that key (proof of possession)."""
    holder = certificate.owner
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KG"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, certificate.company.legal_name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, holder.full_name[:64]),
        ]
    )
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    return builder.sign(keystore_signer(session=session), hashes.SHA256())


def _new_key_and_csr(
    *, certificate: Certificate, user: User, pin: str, actor: User, same_pin_as: KeySession | None
) -> tuple[CloudKey, x509.CertificateSigningRequest]:
    """Generate the holder's new key and sign its CSR with it in one step: the new key is never unsealed."""
    algorithm = certificate.key.algorithm if certificate.key is not None else "ec-p256"
    if same_pin_as is not None and same_pin_as.key.owner_id != user.pk:
        same_pin_as = None  # PIN material is shared only between one owner's keys: derive afresh
    with key_generate_session(
        owner=user,
        pin=pin,
        label=f"renewal of {certificate.serial}",
        algorithm=algorithm,
        actor=actor,
        same_pin_as=same_pin_as,
    ) as new_session:
        csr = _build_csr(certificate=certificate, session=new_session)
    return new_session.key, csr


def _require_valid_signature(signed_pdf: bytes, *, root: x509.Certificate, number: str) -> None:
    """Refuse to send a request whose fresh signature does not validate against the operator root."""
    report = pdf_validate(pdf=signed_pdf, trust_roots=[root])
    if not report.bottom_line:
        logger.error(
            "request %s: its fresh signature does not validate: %s", number, "; ".join(report.problems)
        )
        raise SigningFailed()


def _earlier(*, user: User, idempotency_key: str) -> RenewalRequest | None:
    """The request a retry with this key already made (only the same holder may see it)."""
    earlier = RenewalRequest.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is not None and earlier.holder_id != user.pk:
        raise PermissionDenied()
    return earlier


def _queued_fields(
    preview: RenewalPreview,
    *,
    user: User,
    number: str,
    idempotency_key: str,
    new_key: CloudKey,
    csr: x509.CertificateSigningRequest,
    now: dt.datetime,
) -> dict[str, Any]:
    """The fields a holder's request (remote or with documents) takes from the preview and the new key."""
    offer = preview.offer
    certificate = offer.certificate
    return {
        "number": number,
        "idempotency_key": idempotency_key,
        "certificate": certificate,
        "holder": user,
        "company": certificate.company,
        "urgent": offer.past_deadline,
        "full_name": certificate.owner.full_name,
        "position": preview.membership.position if preview.membership else "",
        "company_name": certificate.company.legal_name,
        "company_inn": certificate.company.inn,
        "old_not_after": certificate.not_after,
        "last_day_to_send": offer.last_day_to_send,
        "new_not_before": preview.new_not_before,
        "new_not_after": preview.new_not_after,
        "price": preview.price,
        "new_key": new_key,
        "csr_der": csr.public_bytes(Encoding.DER),
        "csr_fingerprint": spki_sha256(csr.public_key()),
        "submitted_at": now,
    }


def _lock_certificate(certificate: Certificate) -> None:
    """One submitter per certificate at a time: later ones wait here, then find the first one's request."""
    Certificate.objects.select_for_update().get(pk=certificate.pk)
    existing = RenewalRequest.objects.open().filter(certificate=certificate).first()
    if existing is not None:
        raise _AlreadyOpen(existing)


def _duplicate_of(
    error: _AlreadyOpen | IntegrityError, *, idempotency_key: str, certificate: Certificate
) -> RenewalRequest | None:
    """After a lost race (lock or unique constraint), the request that won it."""
    if isinstance(error, _AlreadyOpen):
        return error.request
    return (
        RenewalRequest.objects.filter(idempotency_key=idempotency_key).first()
        or RenewalRequest.objects.open().filter(certificate=certificate).first()
    )


def renewal_submit(
    *, user: User, pin: str, idempotency_key: str, details_confirmed: bool
) -> tuple[RenewalRequest, bool]:
    """Sign and send a remote renewal request; returns (request, created).

    A repeated or concurrent submission for the same certificate returns the open request and charges
    nothing. The PIN is checked and all signing is done before the one transaction that debits the
    balance, stores the documents and enqueues the request.
    """
    earlier = _earlier(user=user, idempotency_key=idempotency_key)
    if earlier is not None:
        return earlier, False
    if not details_confirmed:
        raise DetailsNotConfirmed()
    now = clock.now()
    preview = renewal_preview(user=user, at=now)
    offer = preview.offer
    if offer.open_request is not None:
        return offer.open_request, False
    if offer.successor is not None:
        raise NothingToRenew(_("Your new EDS is already issued; it takes over when the current one expires."))
    if preview.shortfall > 0:
        raise InsufficientFunds(shortfall=preview.shortfall, balance=preview.balance)
    certificate = offer.certificate
    old_key = certificate.key
    assert old_key is not None  # cloud certificates always have one
    chain = [ca.certificate for ca in ca_chain()]
    # One PIN check (one Argon2id run) for the whole submit: the old key's session signs the PDF, and the
    # new key is sealed with the PIN material that session derived and signs its CSR before it is stored.
    with key_session(key=old_key, pin=pin, actor=user) as old_session:
        new_key, csr = _new_key_and_csr(
            certificate=certificate, user=user, pin=pin, actor=user, same_pin_as=old_session
        )
        fingerprint = spki_sha256(csr.public_key())
        number = _new_number(now)
        text = request_text(preview, number=number, fingerprint=fingerprint, at=now)
        signed_pdf = pdf_sign(
            pdf=render_request_pdf(text),
            signer_cert=certificate.x509,
            chain=chain,
            session=old_session,
            reason="Заявка на продление ЭЦП / ЭКТ мөөнөтүн узартуу буйрутмасы",
        )
    _require_valid_signature(signed_pdf, root=chain[-1], number=number)
    try:
        with transaction.atomic():
            _lock_certificate(certificate)
            request = RenewalRequest.objects.create(
                **_queued_fields(
                    preview, user=user, number=number, idempotency_key=idempotency_key, new_key=new_key,
                    csr=csr, now=now,
                ),
                channel=Channel.REMOTE,
                status=Status.SUBMITTED,
                signed_pdf=signed_pdf,
            )  # fmt: skip
            request.debit = ledger_debit(
                company=certificate.company,
                amount=preview.price,
                idempotency_key=f"renewal:{request.number}",
                memo=_("EDS renewal, request %(number)s") % {"number": request.number},
                actor=user,
            )
            request.payment_method = PaymentMethod.BALANCE
            request.save(update_fields=["debit", "payment_method"])
            _event(request, actor=user)
            audit_record(
                actor=user,
                action="renewal.submit",
                target=request,
                data={"price": request.price, "urgent": request.urgent, "csr_spki_sha256": fingerprint},
            )
            _notify(request, "renewal.submitted", position=queue_position(request))
    except (_AlreadyOpen, IntegrityError) as exc:
        existing = _duplicate_of(exc, idempotency_key=idempotency_key, certificate=certificate)
        if existing is None:
            raise
        return existing, False
    return request, True


def renewal_submit_documents(
    *, user: User, pin: str, idempotency_key: str, changed_details: str, scans: list[Scan]
) -> tuple[RenewalRequest, bool]:
    """Send a request whose details changed, with scans; the office checks them; payment at approval."""
    earlier = _earlier(user=user, idempotency_key=idempotency_key)
    if earlier is not None:
        return earlier, False
    if not changed_details.strip():
        raise ReasonRequired(_("Please say which details changed."))
    scans_check(scans)
    now = clock.now()
    preview = renewal_preview(user=user, at=now)
    offer = preview.offer
    if offer.open_request is not None:
        return offer.open_request, False
    certificate = offer.certificate
    assert certificate.key is not None
    # The old key's session checks the PIN once; the new key reuses the PIN material it derived.
    with key_session(key=certificate.key, pin=pin, actor=user) as old_session:
        new_key, csr = _new_key_and_csr(
            certificate=certificate, user=user, pin=pin, actor=user, same_pin_as=old_session
        )
    try:
        with transaction.atomic():
            _lock_certificate(certificate)
            request = RenewalRequest.objects.create(
                **_queued_fields(
                    preview, user=user, number=_new_number(now), idempotency_key=idempotency_key,
                    new_key=new_key, csr=csr, now=now,
                ),
                channel=Channel.DOCUMENTS,
                status=Status.DOCUMENTS_SUBMITTED,
                changed_details=changed_details.strip(),
            )  # fmt: skip
            for scan in scans:
                RenewalAttachment.objects.create(
                    request=request,
                    name=scan.name[:200],
                    content_type=scan.content_type,
                    size=len(scan.data),
                    data=scan.data,
                    uploaded_at=now,
                )
            _event(request, actor=user, note=changed_details.strip())
            audit_record(
                actor=user, action="renewal.submit_documents", target=request, data={"files": len(scans)}
            )
            _notify(request, "renewal.documents_submitted")
    except (_AlreadyOpen, IntegrityError) as exc:
        existing = _duplicate_of(exc, idempotency_key=idempotency_key, certificate=certificate)
        if existing is None:
            raise
        return existing, False
    return request, True


def _locked(request: RenewalRequest, name: str) -> RenewalRequest:
    """Re-read the request under a row lock and check the transition may leave its status."""
    row = RenewalRequest.objects.select_for_update().get(pk=request.pk)
    if not allowed(name, row.status):
        raise TransitionNotAllowed(status=row.get_status_display())
    return row


def _refund(request: RenewalRequest, *, actor: User | None) -> LedgerEntry | None:
    if request.debit is None:
        return None
    return ledger_refund(debit=request.debit, idempotency_key=f"refund:{request.number}", actor=actor)


@transaction.atomic
def renewal_cancel(*, user: User, request: RenewalRequest) -> RenewalRequest:
    """The holder withdraws a request nobody has taken yet; any payment is refunded in full."""
    if request.holder_id != user.pk:
        raise NotFound()
    row = _locked(request, "cancel")
    row.status = target_status("cancel", row.channel)
    row.decided_at = clock.now()
    row.save(update_fields=["status", "decided_at"])
    _refund(row, actor=user)
    _event(row, actor=user)
    audit_record(actor=user, action="renewal.cancel", target=row)
    _notify(row, "renewal.cancelled")
    return row


def _require_specialist(user: User) -> None:
    if not user.is_operator:
        raise PermissionDenied()


@transaction.atomic
def renewal_claim(*, actor: User, request: RenewalRequest) -> RenewalRequest:
    """A specialist takes a queued request so that no one else works on it."""
    _require_specialist(actor)
    sources = TRANSITIONS["claim"].sources
    now = clock.now()
    taken = RenewalRequest.objects.filter(pk=request.pk, status__in=sources).update(
        status=target_status("claim", request.channel), claimed_by=actor, claimed_at=now
    )
    row = RenewalRequest.objects.get(pk=request.pk)
    if not taken:
        if row.status == Status.IN_REVIEW and row.claimed_by_id != actor.pk:
            raise NotYourClaim()
        raise TransitionNotAllowed(status=row.get_status_display())
    _event(row, actor=actor)
    audit_record(actor=actor, action="renewal.claim", target=row)
    return row


@transaction.atomic
def renewal_release(*, actor: User, request: RenewalRequest) -> RenewalRequest:
    """Put a claimed request back in the queue (its claimer, or an operator admin)."""
    _require_specialist(actor)
    row = _locked(request, "release")
    if row.claimed_by_id != actor.pk and not actor.is_operator_admin:
        raise NotYourClaim()
    row.status = target_status("release", row.channel)
    row.claimed_by = None
    row.claimed_at = None
    row.save(update_fields=["status", "claimed_by", "claimed_at"])
    _event(row, actor=actor)
    audit_record(actor=actor, action="renewal.release", target=row)
    return row


def renewal_validate_signature(*, request: RenewalRequest) -> Any:
    """Uzart's validation report of the request's signed PDF against the operator CA."""
    root = ca_chain()[-1]
    return pdf_validate(pdf=bytes(request.signed_pdf or b""), trust_roots=[root.certificate])


@transaction.atomic
def renewal_approve(*, actor: User, request: RenewalRequest) -> RenewalRequest:
    """Issue the new certificate for the request's key, valid from the old expiry for one year."""
    _require_specialist(actor)
    row = _locked(request, "approve")
    if row.claimed_by_id != actor.pk:
        raise NotYourClaim()
    if row.channel == Channel.REMOTE and not renewal_validate_signature(request=row).bottom_line:
        raise SignatureInvalid()
    if row.debit is None:
        row.debit = ledger_debit(
            company=row.company,
            amount=row.price,
            idempotency_key=f"renewal:{row.number}",
            memo=_("EDS renewal, request %(number)s") % {"number": row.number},
            actor=actor,
        )
        row.payment_method = PaymentMethod.BALANCE
    old = row.certificate
    membership = membership_for_certificate(old)
    csr = x509.load_der_x509_csr(bytes(row.csr_der or b""))
    issued = certificate_issue(
        owner=row.holder,
        company=row.company,
        csr=csr,
        position=membership.position if membership else row.position,
        not_before=row.new_not_before,
        not_after=row.new_not_after,
        key=row.new_key,
        predecessor=old,
        actor=actor,
    )
    row.status = target_status("approve", row.channel)
    row.issued_certificate = issued
    row.decided_by = actor
    row.decided_at = clock.now()
    row.save(
        update_fields=["status", "issued_certificate", "decided_by", "decided_at", "debit", "payment_method"]
    )
    _event(row, actor=actor)
    audit_record(actor=actor, action="renewal.approve", target=row, data={"serial": issued.serial})
    _notify(row, "renewal.issued", starts=_date(issued.not_before))
    return row


@transaction.atomic
def renewal_reject(*, actor: User, request: RenewalRequest, reason: str) -> RenewalRequest:
    """Refuse a request with a reason for the holder; any payment is refunded in the same transaction."""
    _require_specialist(actor)
    if not reason.strip():
        raise ReasonRequired()
    row = _locked(request, "reject")
    if row.status == Status.IN_REVIEW and row.claimed_by_id != actor.pk and not actor.is_operator_admin:
        raise NotYourClaim()
    row.status = target_status("reject", row.channel)
    row.reject_reason = reason.strip()
    row.decided_by = actor
    row.decided_at = clock.now()
    row.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    _refund(row, actor=actor)
    _event(row, actor=actor, note=row.reject_reason)
    audit_record(actor=actor, action="renewal.reject", target=row)
    _notify(row, "renewal.rejected", reason=row.reject_reason)
    return row


def renewal_office(
    *,
    actor: User,
    holder: User,
    company: Company,
    paper_reference: str,
    payment: str,
    new_pin: str,
    cash_document: str = "",
    idempotency_key: str,
) -> RenewalRequest:
    """Renew at the office for a holder who came in, also after expiry; issued at once.

    Validity starts at max(now, old not_after). Payment is taken from the balance, or recorded as cash.
    """
    _require_specialist(actor)
    earlier = RenewalRequest.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is not None:
        return earlier
    if not paper_reference.strip():
        raise ReasonRequired(_("Enter the number of the paper application."))
    if payment not in (PaymentMethod.BALANCE, PaymentMethod.CASH):
        raise ReasonRequired(_("Choose how the holder pays."))
    if payment == PaymentMethod.CASH and not cash_document.strip():
        raise ReasonRequired(_("Enter the number of the cash receipt."))
    old = (
        Certificate.objects.filter(owner=holder, company=company, revoked_at__isnull=True)
        .order_by("-not_after")
        .first()
    )
    if old is None:
        raise NothingToRenew(_("This holder has no certificate for this company to renew."))
    now = clock.now()
    if RenewalRequest.objects.open().filter(certificate=old).exists():
        raise NothingToRenew(_("This certificate already has an open request; process it from the queue."))
    if Certificate.objects.filter(predecessor=old, revoked_at__isnull=True).exists():
        raise NothingToRenew(_("A new EDS has already been issued for this certificate."))
    membership = membership_for_certificate(old)
    tariff = tariff_current(
        service=Tariff.Service.OFFICE_RENEWAL, role=membership.role if membership else None, at=now
    )
    not_before = max(now, old.not_after)
    not_after = add_years(not_before, 1)
    algorithm = old.key.algorithm if old.key is not None else "ec-p256"
    with key_generate_session(
        owner=holder, pin=new_pin, label="office renewal", algorithm=algorithm, actor=actor
    ) as new_session:
        csr = _build_csr(certificate=old, session=new_session)
    new_key = new_session.key
    with transaction.atomic():
        Certificate.objects.select_for_update().get(pk=old.pk)
        number = _new_number(now)
        if payment == PaymentMethod.CASH:
            ledger_topup(
                company=company,
                amount=tariff.price,
                idempotency_key=f"office-cash:{number}",
                method=LedgerEntry.Method.CASH,
                document_number=cash_document.strip(),
                actor=actor,
            )
        debit = ledger_debit(
            company=company,
            amount=tariff.price,
            idempotency_key=f"renewal:{number}",
            memo=_("EDS renewal at the office, request %(number)s") % {"number": number},
            actor=actor,
        )
        issued = certificate_issue(
            owner=holder,
            company=company,
            csr=csr,
            position=membership.position if membership else "",
            not_before=not_before,
            not_after=not_after,
            key=new_key,
            predecessor=old,
            actor=actor,
        )
        request = RenewalRequest.objects.create(
            number=number,
            idempotency_key=idempotency_key,
            certificate=old,
            holder=holder,
            company=company,
            channel=Channel.OFFICE,
            status=Status.ISSUED,
            full_name=holder.full_name,
            position=membership.position if membership else "",
            company_name=company.legal_name,
            company_inn=company.inn,
            old_not_after=old.not_after,
            last_day_to_send=last_day_to_send(expiry=expiry_date(old.not_after)),
            new_not_before=not_before,
            new_not_after=not_after,
            price=tariff.price,
            payment_method=payment,
            debit=debit,
            new_key=new_key,
            csr_der=csr.public_bytes(Encoding.DER),
            csr_fingerprint=spki_sha256(csr.public_key()),
            paper_reference=paper_reference.strip(),
            submitted_at=now,
            claimed_by=actor,
            claimed_at=now,
            decided_by=actor,
            decided_at=now,
            issued_certificate=issued,
        )
        _event(request, actor=actor, note=paper_reference.strip())
        audit_record(
            actor=actor,
            action="renewal.office",
            target=request,
            data={"serial": issued.serial, "payment": payment, "paper_reference": paper_reference.strip()},
        )
        _notify(request, "renewal.issued", starts=_date(issued.not_before))
    return request
