"""Demo billing data: tariffs and company balances. Loading twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from uzart.accounts.models import Company
from uzart.billing.models import LedgerEntry, Tariff
from uzart.billing.services import ledger_topup, tariff_create

DEMO_TARIFF_START = dt.date(2025, 1, 1)
DEMO_TARIFFS = [
    (Tariff.Service.REMOTE_RENEWAL, 1_510_00),  # 1 510,00 som
    (Tariff.Service.OFFICE_RENEWAL, 1_800_00),  # 1 800,00 som
]
DEMO_BALANCES = [
    ("02412201910101", 10_000_00),  # plenty
    ("01506201810202", 10_000_00),  # plenty
    ("02203201710303", 500_00),  # too little for a renewal
]


@transaction.atomic
def billing_demo_load() -> None:
    """Create the demo tariffs and top up the demo companies that exist, once."""
    for service, price in DEMO_TARIFFS:
        if (
            not Tariff.objects.for_service(service)
            .for_role(None)
            .filter(effective_from=DEMO_TARIFF_START)
            .exists()
        ):
            tariff_create(service=service, role=None, price=price, effective_from=DEMO_TARIFF_START)
    for inn, amount in DEMO_BALANCES:
        company = Company.objects.filter(inn=inn).first()
        if company is None:
            continue
        ledger_topup(
            company=company,
            amount=amount,
            idempotency_key=f"demo:opening-balance:{inn}",
            method=LedgerEntry.Method.DEMO,
            document_number="DEMO-OPENING",
        )
