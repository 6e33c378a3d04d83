"""`uzart ledger reconcile` compares every cached balance with the sum of its entries."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CompanyFactory
from uzart.billing.models import CompanyAccount
from uzart.billing.services import ledger_debit, ledger_topup

pytestmark = pytest.mark.django_db


def _fill(company):
    ledger_topup(
        company=company, amount=3_000_00, idempotency_key=f"t{company.pk}", method="cash", document_number="1"
    )
    ledger_debit(company=company, amount=1_510_00, idempotency_key=f"d{company.pk}", memo="renewal")


def test_reconcile_passes_when_every_balance_matches_its_entries():
    for _ in range(3):
        _fill(CompanyFactory())
    out = StringIO()
    call_command("ledger", "reconcile", stdout=out)
    assert "OK: 3 accounts" in out.getvalue()


def test_reconcile_fails_and_lists_the_account_whose_cached_balance_was_tampered_with():
    honest, tampered = CompanyFactory(), CompanyFactory()
    _fill(honest)
    _fill(tampered)
    CompanyAccount.objects.filter(company=tampered).update(balance=99_999_00)
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("ledger", "reconcile", stdout=out)
    assert "1 of 2 accounts" in str(info.value)
    report = out.getvalue()
    assert tampered.inn in report
    assert honest.inn not in report
    assert "cached 9999900 tyiyn, entries sum 149000 tyiyn" in report


def test_reconcile_exit_status_is_non_zero_on_drift():
    company = CompanyFactory()
    _fill(company)
    CompanyAccount.objects.filter(company=company).update(balance=0)
    from uzart.billing.management.commands.ledger import Command

    with pytest.raises(SystemExit) as info:
        Command().run_from_argv(["uzart", "ledger", "reconcile"])
    assert info.value.code == 1
