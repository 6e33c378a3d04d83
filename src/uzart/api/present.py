"""Turning domain rows into API bodies: presentation only, every decision is the domain's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from uzart import clock
from uzart.accounts.models import Company
from uzart.billing.models import LedgerEntry
from uzart.billing.selectors import Statement
from uzart.pki.models import Certificate
from uzart.renewals.models import RenewalRequest
from uzart.renewals.selectors import RenewalPreview, expiry_date, queue_position


def company_ref(company: Company) -> dict[str, Any]:
    return {"id": company.pk, "inn": company.inn, "name": company.legal_name}


def certificate_status(certificate: Certificate, at: dt.datetime) -> str:
    """in_force, waiting, expired or revoked, read from the dates (never stored)."""
    if certificate.revoked_at is not None and certificate.revoked_at <= at:
        return "revoked"
    if certificate.not_after <= at:
        return "expired"
    if certificate.not_before > at:
        return "waiting"
    return "in_force"


def certificate_body(certificate: Certificate, *, at: dt.datetime | None = None) -> dict[str, Any]:
    now = at or clock.now()
    expires_on = expiry_date(certificate.not_after)
    return {
        "serial": certificate.serial,
        "company": company_ref(certificate.company),
        "common_name": certificate.common_name,
        "storage": certificate.storage,
        "not_before": certificate.not_before,
        "not_after": certificate.not_after,
        "revoked_at": certificate.revoked_at,
        "status": certificate_status(certificate, now),
        "in_force": certificate.is_in_force(at=now),
        "expires_on": expires_on,
        "days_left": max(0, (expires_on - clock.to_bishkek(now).date()).days),
    }


def offer_body(preview: RenewalPreview) -> dict[str, Any]:
    offer = preview.offer
    certificate = offer.certificate
    return {
        "certificate_serial": certificate.serial,
        "company": company_ref(certificate.company),
        "full_name": certificate.owner.full_name,
        "position": preview.membership.position if preview.membership else "",
        "expires_on": offer.expires_on,
        "days_left": offer.days_left,
        "last_day_to_send": offer.last_day_to_send,
        "past_deadline": offer.past_deadline,
        "can_renew": offer.can_renew,
        "open_request": offer.open_request.number if offer.open_request else None,
        "new_not_before": preview.new_not_before,
        "new_not_after": preview.new_not_after,
        "new_expires_on": preview.new_expires_on,
        "price": preview.price,
        "balance": preview.balance,
        "shortfall": preview.shortfall,
    }


def renewal_body(request: RenewalRequest, *, for_operator: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": request.number or "",
        "status": request.status,
        "status_label": str(request.get_status_display()),
        "channel": request.channel,
        "urgent": request.urgent,
        "company": {"id": request.company_id, "inn": request.company_inn, "name": request.company_name},
        "certificate_serial": request.certificate.serial,
        "full_name": request.full_name,
        "old_not_after": request.old_not_after,
        "last_day_to_send": request.last_day_to_send,
        "new_not_before": request.new_not_before,
        "new_not_after": request.new_not_after,
        "price": request.price,
        "paid": request.debit_id is not None or bool(request.payment_method),
        "submitted_at": request.submitted_at,
        "decided_at": request.decided_at,
        "reject_reason": request.reject_reason,
        "queue_position": queue_position(request),
        "issued_certificate_serial": request.issued_certificate.serial
        if request.issued_certificate
        else None,
        "events": [{"at": e.at, "status": e.status, "note": e.note} for e in request.events.all()],
    }
    if for_operator:
        body.update(
            holder_email=request.holder.email,
            claimed_by=request.claimed_by.email if request.claimed_by else None,
            changed_details=request.changed_details,
            csr_fingerprint=request.csr_fingerprint,
        )
    return body


def entry_body(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "created_at": entry.created_at,
        "kind": entry.kind,
        "amount": entry.amount,
        "balance_after": entry.balance_after,
        "method": entry.method,
        "memo": entry.memo,
        "document_number": entry.document_number,
    }


def statement_body(statement: Statement) -> dict[str, Any]:
    return {
        "company": company_ref(statement.company),
        "date_from": statement.date_from,
        "date_to": statement.date_to,
        "opening_balance": statement.opening_balance,
        "closing_balance": statement.closing_balance,
        "credits": statement.credits,
        "debits": statement.debits,
        "entries": [entry_body(entry) for entry in statement.entries],
    }
