"""Random sequences of top-ups, debits, refunds, retries and reused keys keep the ledger consistent.

A small model in Python predicts every outcome; after each step the cached balance must equal the
model's balance and the sum of the entries, never be negative, and every key must have taken effect
at most once.
"""

from __future__ import annotations

import uuid

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.factories import CompanyFactory
from uzart.billing.errors import IdempotencyConflict, InsufficientFunds, RefundNotAllowed
from uzart.billing.models import CompanyAccount, LedgerEntry
from uzart.billing.services import ledger_debit, ledger_refund, ledger_topup

KEYS = st.integers(min_value=0, max_value=30)  # a small pool, so keys are sometimes reused by accident
PICK = st.integers(min_value=0, max_value=30)
TOPUP_AMOUNTS = st.integers(min_value=1, max_value=5_000_00)
AMOUNTS = st.integers(min_value=1, max_value=2_000_00)

OPERATIONS = st.one_of(
    st.tuples(st.just("topup"), KEYS, TOPUP_AMOUNTS),
    st.tuples(st.just("debit"), KEYS, AMOUNTS),
    st.tuples(st.just("refund"), KEYS, PICK, st.none() | AMOUNTS),
    st.tuples(st.just("retry"), PICK),  # the same call again, as a client retry would send it
)

Call = tuple[str, tuple, "int | None"]  # (key, details compared for idempotency, amount as passed)


class Model:
    """What the ledger should do, without a database."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.balance = 0
        self.keys: dict[str, tuple[tuple, int]] = {}  # key -> (details, entry id)
        self.debits: dict[int, int] = {}  # debit entry id -> amount
        self.refunded: set[int] = set()
        self.calls: list[Call] = []

    def call_for(self, operation: tuple) -> Call | None:
        """Turn a drawn operation into a concrete call, or None when it cannot be made yet."""
        if operation[0] == "retry":
            return self.calls[operation[1] % len(self.calls)] if self.calls else None
        kind, key = operation[0], f"{self.prefix}:{operation[1]}"
        if kind != "refund":
            return key, (kind, operation[2]), operation[2]
        if not self.debits:
            return None
        debit_id = list(self.debits)[operation[2] % len(self.debits)]
        amount = operation[3]
        # An omitted amount means the whole debit; the ledger treats both spellings as one call.
        return key, ("refund", debit_id, self.debits[debit_id] if amount is None else amount), amount


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATIONS, min_size=4, max_size=30))
def test_random_ledger_sequences_keep_balance_equal_to_entries_and_each_key_once(operations):
    company = CompanyFactory()
    model = Model(prefix=uuid.uuid4().hex)  # keys are global; keep each example's keys apart
    for operation in operations:
        call = model.call_for(operation)
        if call is None:
            continue
        model.calls.append(call)
        key, details, _raw_amount = call
        kind, amount = details[0], details[-1]
        balance_before = model.balance
        earlier = model.keys.get(key)
        if earlier is not None and earlier[0] != details:
            event("same key, other details: conflict")
            with pytest.raises(IdempotencyConflict):
                _call(company, call)
        elif earlier is not None:
            event("same key repeated: same entry")
            assert _call(company, call).pk == earlier[1]
        elif kind == "debit" and amount > model.balance:
            event("debit refused: insufficient funds")
            with pytest.raises(InsufficientFunds) as info:
                _call(company, call)
            assert info.value.shortfall == amount - model.balance
            assert info.value.balance == model.balance
        elif kind == "refund" and (details[1] in model.refunded or amount > model.debits[details[1]]):
            event("refund refused")
            with pytest.raises(RefundNotAllowed):
                _call(company, call)
        else:
            event(f"{kind} recorded")
            entry = _call(company, call)
            model.keys[key] = (details, entry.pk)
            if kind == "debit":
                model.balance -= amount
                model.debits[entry.pk] = amount
            else:
                model.balance += amount
                if kind == "refund":
                    model.refunded.add(details[1])
        if earlier is not None:
            assert model.balance == balance_before  # a reused key never moves money
        _check(company, model)


def _call(company, call: Call) -> LedgerEntry:
    key, details, raw_amount = call
    kind = details[0]
    if kind == "topup":
        return ledger_topup(
            company=company, amount=details[1], idempotency_key=key, method="provider", document_number="P"
        )
    if kind == "debit":
        return ledger_debit(company=company, amount=details[1], idempotency_key=key, memo="renewal")
    debit = LedgerEntry.objects.get(pk=details[1])
    return ledger_refund(debit=debit, idempotency_key=key, amount=raw_amount)


def _check(company, model: Model) -> None:
    account = CompanyAccount.objects.filter(company=company).first()
    cached = account.balance if account else 0
    entries = LedgerEntry.objects.filter(account__company=company)
    total = entries.aggregate(total=Sum("amount"))["total"] or 0
    assert cached == model.balance == total
    assert cached >= 0
    assert all(entry.balance_after >= 0 for entry in entries)
    assert entries.count() == len(model.keys)  # each successful key made exactly one entry
    assert set(entries.values_list("idempotency_key", flat=True)) == set(model.keys)
