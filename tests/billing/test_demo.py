"""Demo billing data: tariffs and balances, loaded twice without changing anything."""

from __future__ import annotations

import pytest

from uzart import clock
from uzart.accounts.models import Company
from uzart.billing.demo import billing_demo_load
from uzart.billing.errors import InsufficientFunds
from uzart.billing.models import LedgerEntry, Tariff
from uzart.billing.selectors import account_balance_get, tariff_current
from uzart.billing.services import ledger_debit


@pytest.mark.django_db
def test_demo_load_is_idempotent_and_leaves_one_company_short_of_a_renewal():
    for inn in ("02412201910101", "01506201810202", "02203201710303"):
        Company.objects.create(inn=inn, legal_name=f"Demo {inn}", legal_form="llc")
    billing_demo_load()
    billing_demo_load()
    assert Tariff.objects.count() == 2
    assert LedgerEntry.objects.count() == 3
    price = tariff_current(service="remote_renewal", role="head", at=clock.now()).price
    assert price == 1_510_00
    assert tariff_current(service="office_renewal", role=None, at=clock.now()).price == 1_800_00
    rich = Company.objects.get(inn="02412201910101")
    poor = Company.objects.get(inn="02203201710303")
    assert account_balance_get(company=rich) == 10_000_00
    assert account_balance_get(company=Company.objects.get(inn="01506201810202")) == 10_000_00
    assert account_balance_get(company=poor) == 500_00
    with pytest.raises(InsufficientFunds):
        ledger_debit(company=poor, amount=price, idempotency_key="demo-renewal", memo="renewal")
