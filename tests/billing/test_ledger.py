"""Ledger services: each key takes effect once, balances never go negative, every entry is audited."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from tests.factories import CompanyFactory, holder, specialist
from uzart.audit.models import AuditEvent
from uzart.billing.errors import IdempotencyConflict, InsufficientFunds, RefundNotAllowed
from uzart.billing.models import CompanyAccount, LedgerEntry
from uzart.billing.selectors import account_balance_get
from uzart.billing.services import ledger_adjust, ledger_debit, ledger_refund, ledger_topup
from uzart.errors import PermissionDenied, UzartError, ValidationFailed

pytestmark = pytest.mark.django_db


def _topup(company, amount, key="t1"):
    return ledger_topup(
        company=company, amount=amount, idempotency_key=key, method="bank_transfer", document_number="PP-1"
    )


def test_topup_creates_the_account_on_demand_and_caches_the_balance():
    company = CompanyFactory()
    assert not CompanyAccount.objects.filter(company=company).exists()
    entry = _topup(company, 2_000_00)
    assert entry.kind == LedgerEntry.Kind.TOPUP
    assert entry.amount == 2_000_00
    assert entry.balance_after == 2_000_00
    assert CompanyAccount.objects.get(company=company).balance == 2_000_00


def test_repeating_a_topup_with_the_same_key_returns_the_same_entry_and_credits_once():
    company = CompanyFactory()
    first = _topup(company, 2_000_00)
    second = _topup(company, 2_000_00)
    assert second.pk == first.pk
    assert account_balance_get(company=company) == 2_000_00
    assert LedgerEntry.objects.filter(account__company=company).count() == 1


def test_the_same_key_with_different_details_is_a_conflict_and_changes_nothing():
    company = CompanyFactory()
    _topup(company, 2_000_00)
    with pytest.raises(IdempotencyConflict) as info:
        _topup(company, 3_000_00)
    assert info.value.status_code == 409
    with pytest.raises(IdempotencyConflict):
        ledger_debit(company=company, amount=1_00, idempotency_key="t1", memo="renewal")
    assert account_balance_get(company=company) == 2_000_00


def test_a_key_used_by_another_company_is_a_conflict():
    first, second = CompanyFactory(), CompanyFactory()
    _topup(first, 2_000_00, key="shared")
    with pytest.raises(IdempotencyConflict):
        _topup(second, 2_000_00, key="shared")
    assert account_balance_get(company=second) == 0


def test_debit_takes_money_and_repeating_it_does_not_charge_twice():
    company = CompanyFactory()
    _topup(company, 2_000_00)
    debit = ledger_debit(company=company, amount=1_510_00, idempotency_key="renewal:1", memo="Продление ЭЦП")
    again = ledger_debit(company=company, amount=1_510_00, idempotency_key="renewal:1", memo="Продление ЭЦП")
    assert again.pk == debit.pk
    assert debit.amount == -1_510_00
    assert account_balance_get(company=company) == 490_00


def test_debit_beyond_the_balance_raises_insufficient_funds_with_the_shortfall_and_writes_nothing():
    company = CompanyFactory()
    _topup(company, 500_00)
    with pytest.raises(InsufficientFunds) as info:
        ledger_debit(company=company, amount=1_510_00, idempotency_key="renewal:1", memo="renewal")
    assert info.value.shortfall == 1_010_00
    assert info.value.balance == 500_00
    assert isinstance(info.value, UzartError)
    assert account_balance_get(company=company) == 500_00
    assert not LedgerEntry.objects.filter(idempotency_key="renewal:1").exists()


def test_insufficient_funds_message_shows_amounts_in_the_language_it_is_read_in():
    error = InsufficientFunds(shortfall=1_010_00, balance=500_00)
    with translation.override("ru"):
        text = str(error)
        assert "500,00 сом" in text and "1 010,00 сом" in text
        assert "Недостаточно" in text
    with translation.override("ky"):
        assert "1 010,00 сом" in str(error)
    with translation.override("en"):
        assert "1,010.00 som" in str(error)


def test_a_failed_debit_does_not_use_up_its_key():
    company = CompanyFactory()
    with pytest.raises(InsufficientFunds):
        ledger_debit(company=company, amount=1_00, idempotency_key="renewal:1", memo="renewal")
    _topup(company, 10_00)
    entry = ledger_debit(company=company, amount=1_00, idempotency_key="renewal:1", memo="renewal")
    assert entry.balance_after == 9_00


def test_refund_returns_the_debit_once_and_at_most_its_amount():
    company = CompanyFactory()
    _topup(company, 2_000_00)
    debit = ledger_debit(company=company, amount=1_510_00, idempotency_key="renewal:1", memo="renewal")
    with pytest.raises(RefundNotAllowed):
        ledger_refund(debit=debit, idempotency_key="refund:1", amount=1_510_01)
    refund = ledger_refund(debit=debit, idempotency_key="refund:1")
    assert refund.amount == 1_510_00
    assert refund.refund_of_id == debit.pk
    assert ledger_refund(debit=debit, idempotency_key="refund:1").pk == refund.pk
    with pytest.raises(RefundNotAllowed):
        ledger_refund(debit=debit, idempotency_key="refund:2")
    assert account_balance_get(company=company) == 2_000_00


def test_partial_refund_is_still_the_only_refund_of_that_debit():
    company = CompanyFactory()
    _topup(company, 2_000_00)
    debit = ledger_debit(company=company, amount=1_000_00, idempotency_key="d", memo="renewal")
    ledger_refund(debit=debit, idempotency_key="r1", amount=400_00)
    with pytest.raises(RefundNotAllowed):
        ledger_refund(debit=debit, idempotency_key="r2", amount=100_00)
    assert account_balance_get(company=company) == 1_400_00


def test_only_a_debit_can_be_refunded():
    company = CompanyFactory()
    topup = _topup(company, 2_000_00)
    with pytest.raises(RefundNotAllowed):
        ledger_refund(debit=topup, idempotency_key="r1")


def test_adjustment_needs_operator_staff_and_a_reason():
    company = CompanyFactory()
    staff = specialist()
    with pytest.raises(PermissionDenied):
        ledger_adjust(company=company, amount=100_00, reason="goodwill", idempotency_key="a1", actor=holder())
    with pytest.raises(ValidationFailed):
        ledger_adjust(company=company, amount=100_00, reason="   ", idempotency_key="a1", actor=staff)
    entry = ledger_adjust(
        company=company, amount=100_00, reason="Ошибка банка", idempotency_key="a1", actor=staff
    )
    assert entry.memo == "Ошибка банка"
    assert entry.actor == staff
    ledger_adjust(company=company, amount=-40_00, reason="Возврат излишка", idempotency_key="a2", actor=staff)
    assert account_balance_get(company=company) == 60_00
    with pytest.raises(InsufficientFunds):
        ledger_adjust(company=company, amount=-61_00, reason="too much", idempotency_key="a3", actor=staff)


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "100"])
def test_amounts_must_be_positive_whole_tyiyn(amount):
    company = CompanyFactory()
    with pytest.raises(ValidationFailed):
        _topup(company, amount)
    with pytest.raises(ValidationFailed):
        ledger_debit(company=company, amount=amount, idempotency_key="d", memo="x")
    assert LedgerEntry.objects.count() == 0


def test_a_bank_payment_needs_its_document_number():
    with pytest.raises(ValidationFailed):
        ledger_topup(
            company=CompanyFactory(), amount=1_00, idempotency_key="k", method="cash", document_number=" "
        )


def test_every_entry_is_audited_in_the_same_transaction():
    company = CompanyFactory()
    staff = specialist()
    entries = [
        ledger_topup(
            company=company,
            amount=2_000_00,
            idempotency_key="t",
            method="cash",
            document_number="КО-7",
            actor=staff,
        ),
        ledger_debit(company=company, amount=100_00, idempotency_key="d", memo="renewal"),
    ]
    entries.append(ledger_refund(debit=entries[1], idempotency_key="r"))
    entries.append(
        ledger_adjust(company=company, amount=5_00, reason="fix", idempotency_key="a", actor=staff)
    )
    for entry in entries:
        event = AuditEvent.objects.get(target_type="billing.ledgerentry", target_id=str(entry.pk))
        assert event.action == f"ledger.{entry.kind}"
        assert event.data["amount"] == entry.amount
        assert event.data["company"] == company.inn
    assert (
        AuditEvent.objects.get(target_id=str(entries[0].pk), target_type="billing.ledgerentry").actor == staff
    )


def test_ledger_entries_are_append_only():
    company = CompanyFactory()
    entry = _topup(company, 1_00)
    entry.amount = 1_000_00
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(ValueError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=5)
    with pytest.raises(ValueError):
        LedgerEntry.objects.all().delete()


def test_the_database_refuses_a_negative_cached_balance():
    company = CompanyFactory()
    _topup(company, 1_00)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyAccount.objects.filter(company=company).update(balance=-1)
