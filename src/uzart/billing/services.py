"""Every write of billing: tariffs and ledger entries.

Each ledger service runs in one transaction that (1) takes the audit chain lock and the company account's
row lock, (2) returns the earlier entry when the idempotency key was used before with the same details,
(3) checks the rules, (4) writes the entry and the new cached balance, and (5) records the audit event.

Lock order is always audit chain lock, then account row. audit_record() holds a transaction-wide lock on
PostgreSQL; taking it first means a caller that audited something before calling a ledger service cannot
deadlock with a ledger write that holds the account row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from uzart import clock
from uzart.accounts.models import Company, Membership, User
from uzart.audit.services import audit_chain_lock, audit_record
from uzart.billing.errors import IdempotencyConflict, InsufficientFunds, RefundNotAllowed
from uzart.billing.models import CompanyAccount, LedgerEntry, Tariff
from uzart.billing.money import MAX_AMOUNT
from uzart.errors import PermissionDenied, ValidationFailed

MAX_KEY_LENGTH = 200


def _check_amount(amount: object, *, allow_negative: bool = False) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise ValidationFailed(_("The amount must be a whole number of tyiyn."))
    if amount == 0 or (amount < 0 and not allow_negative):
        raise ValidationFailed(_("The amount must be greater than zero."))
    if abs(amount) > MAX_AMOUNT:
        raise ValidationFailed(_("The amount is too large."))
    return amount


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(_("A reference (idempotency key) of up to 200 characters is required."))
    return key


def _fingerprint(**params: Any) -> str:
    canonical = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_account(company: Company) -> CompanyAccount:
    """Take the audit chain lock, create the account if needed, and lock its row."""
    audit_chain_lock()
    CompanyAccount.objects.get_or_create(company=company)
    return CompanyAccount.objects.select_for_update().select_related("company").get(company=company)


def _earlier(key: str, fingerprint: str) -> LedgerEntry | None:
    """The entry already recorded under ``key``; a conflict if it was recorded with other details."""
    entry = LedgerEntry.objects.filter(idempotency_key=key).first()
    if entry is not None and entry.fingerprint != fingerprint:
        raise IdempotencyConflict()
    return entry


def _append(
    *,
    account: CompanyAccount,
    kind: str,
    amount: int,
    key: str,
    fingerprint: str,
    actor: User | None,
    method: str = "",
    memo: str = "",
    document_number: str = "",
    refund_of: LedgerEntry | None = None,
    audit_data: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Write one entry and the new cached balance on the locked account, and audit it."""
    new_balance = account.balance + amount
    if new_balance < 0:
        raise InsufficientFunds(shortfall=-new_balance, balance=account.balance)
    entry = LedgerEntry(
        account=account,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        idempotency_key=key,
        fingerprint=fingerprint,
        method=method,
        memo=memo[:500],
        document_number=document_number[:100],
        refund_of=refund_of,
        actor=actor if actor is not None and actor.pk else None,
        created_at=clock.now(),
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Writers are serialised by the locks, so this is a key taken outside them; anything else is a bug.
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            raise IdempotencyConflict() from None
        raise
    account.balance = new_balance
    account.save(update_fields=["balance", "updated_at"])
    audit_record(
        actor=actor,
        action=f"ledger.{kind}",
        target=entry,
        data={
            "company": account.company.inn,
            "amount": amount,
            "balance_after": new_balance,
            "idempotency_key": key,
            **(audit_data or {}),
        },
    )
    return entry


@transaction.atomic
def ledger_topup(
    *,
    company: Company,
    amount: int,
    idempotency_key: str,
    method: str,
    document_number: str = "",
    actor: User | None = None,
) -> LedgerEntry:
    """Credit a payment (bank transfer, cash, online, demo) to the company balance, once per key."""
    _check_amount(amount)
    _check_key(idempotency_key)
    if method not in LedgerEntry.Method.values:
        raise ValidationFailed(_("Unknown payment method."))
    document_number = document_number.strip()
    if method in {LedgerEntry.Method.BANK_TRANSFER, LedgerEntry.Method.CASH} and not document_number:
        raise ValidationFailed(_("Enter the payment document number."))
    entry, _created = _topup(
        company=company,
        amount=amount,
        key=idempotency_key,
        method=method,
        document_number=document_number,
        actor=actor,
        details={},
    )
    return entry


def _topup(
    *,
    company: Company,
    amount: int,
    key: str,
    method: str,
    document_number: str,
    actor: User | None,
    details: dict[str, Any],
) -> tuple[LedgerEntry, bool]:
    fingerprint = _fingerprint(
        kind="topup",
        company=company.pk,
        amount=amount,
        method=method,
        document_number=document_number,
        **details,
    )
    account = _lock_account(company)
    earlier = _earlier(key, fingerprint)
    if earlier is not None:
        return earlier, False
    entry = _append(
        account=account,
        kind=LedgerEntry.Kind.TOPUP,
        amount=amount,
        key=key,
        fingerprint=fingerprint,
        actor=actor,
        method=method,
        document_number=document_number,
        audit_data={"method": method, "document_number": document_number, **details},
    )
    return entry, True


@transaction.atomic
def ledger_topup_from_provider(
    *, company: Company, payment_id: str, amount: int, paid_at: dt.datetime
) -> tuple[LedgerEntry, bool]:
    """Credit a payment provider's notification once per payment id; return (entry, was_new).

    A second notification with the same payment id but other details raises IdempotencyConflict.
    """
    _check_amount(amount)
    key = f"provider:{payment_id}"
    _check_key(key)
    return _topup(
        company=company,
        amount=amount,
        key=key,
        method=LedgerEntry.Method.PROVIDER,
        document_number=payment_id,
        actor=None,
        details={"paid_at": paid_at.astimezone(dt.UTC).isoformat()},
    )


@transaction.atomic
def ledger_debit(
    *, company: Company, amount: int, idempotency_key: str, memo: str, actor: User | None = None
) -> LedgerEntry:
    """Take ``amount`` from the company balance, once per key; InsufficientFunds if it does not cover it."""
    _check_amount(amount)
    _check_key(idempotency_key)
    fingerprint = _fingerprint(kind="debit", company=company.pk, amount=amount, memo=memo)
    account = _lock_account(company)
    earlier = _earlier(idempotency_key, fingerprint)
    if earlier is not None:
        return earlier
    return _append(
        account=account,
        kind=LedgerEntry.Kind.DEBIT,
        amount=-amount,
        key=idempotency_key,
        fingerprint=fingerprint,
        actor=actor,
        memo=memo,
        audit_data={"memo": memo},
    )


@transaction.atomic
def ledger_refund(
    *, debit: LedgerEntry, idempotency_key: str, amount: int | None = None, actor: User | None = None
) -> LedgerEntry:
    """Return all or part of a debit to the balance; a debit is refunded at most once."""
    _check_key(idempotency_key)
    if debit.pk is None or debit.kind != LedgerEntry.Kind.DEBIT:
        raise RefundNotAllowed(_("Only a debit can be refunded."))
    full = -debit.amount
    amount = full if amount is None else _check_amount(amount)
    fingerprint = _fingerprint(kind="refund", debit=debit.pk, amount=amount)
    account = _lock_account(debit.account.company)
    earlier = _earlier(idempotency_key, fingerprint)
    if earlier is not None:
        return earlier
    if amount > full:
        raise RefundNotAllowed(_("A refund cannot be larger than the debit it returns."))
    if LedgerEntry.objects.filter(refund_of=debit).exists():
        raise RefundNotAllowed(_("This debit has already been refunded."))
    return _append(
        account=account,
        kind=LedgerEntry.Kind.REFUND,
        amount=amount,
        key=idempotency_key,
        fingerprint=fingerprint,
        actor=actor,
        memo=debit.memo,
        refund_of=debit,
        audit_data={"refund_of": debit.pk},
    )


@transaction.atomic
def ledger_adjust(
    *, company: Company, amount: int, reason: str, idempotency_key: str, actor: User
) -> LedgerEntry:
    """Correct a balance up or down with a stated reason; operator staff only."""
    if actor is None or not getattr(actor, "is_operator", False):
        raise PermissionDenied(_("Only operator staff may adjust a balance."))
    _check_amount(amount, allow_negative=True)
    _check_key(idempotency_key)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("State the reason for the adjustment."))
    fingerprint = _fingerprint(kind="adjustment", company=company.pk, amount=amount, reason=reason)
    account = _lock_account(company)
    earlier = _earlier(idempotency_key, fingerprint)
    if earlier is not None:
        return earlier
    return _append(
        account=account,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=amount,
        key=idempotency_key,
        fingerprint=fingerprint,
        actor=actor,
        memo=reason,
        audit_data={"reason": reason},
    )


@transaction.atomic
def tariff_create(
    *, service: str, role: str | None, price: int, effective_from: dt.date, actor: User | None = None
) -> Tariff:
    """Set the price of a service (for one role, or any role when ``role`` is None) from a date on."""
    if service not in Tariff.Service.values:
        raise ValidationFailed(_("Unknown service."))
    role = role or ""
    if role and role not in Membership.Role.values:
        raise ValidationFailed(_("Unknown role."))
    _check_amount(price)
    if Tariff.objects.for_service(service).for_role(role).filter(effective_from=effective_from).exists():
        raise ValidationFailed(_("A tariff for this service and role already starts on that date."))
    tariff = Tariff.objects.create(
        service=service,
        role=role,
        price=price,
        effective_from=effective_from,
        created_by=actor if actor is not None and actor.pk else None,
    )
    audit_record(
        actor=actor,
        action="tariff.create",
        target=tariff,
        data={"service": service, "role": role, "price": price, "effective_from": effective_from},
    )
    return tariff
