"""A small operator world for renewal tests: a CA made two years ago, tariffs, a funded company, a holder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from tests.factories import CompanyFactory, holder, specialist
from tests.keystore.probes import keystore_probe  # noqa: F401 - a fixture for this folder
from uzart import clock
from uzart.accounts.models import Company, User
from uzart.accounts.services import operator_profile_save
from uzart.billing.models import LedgerEntry, Tariff
from uzart.billing.services import ledger_topup, tariff_create
from uzart.pki.models import Certificate

PIN = "246810"
REMOTE_PRICE = 151_000  # 1 510,00 som
OFFICE_PRICE = 180_000


@dataclass
class World:
    company: Company
    holder: User
    certificate: Certificate
    specialist: User
    other_specialist: User

    def enrol(self, user: User, *, days_left: float, company: Company | None = None) -> Certificate:
        return enrol_for(user, company or self.company, days_left=days_left)


def enrol_for(user: User, company: Company, *, days_left: float) -> Certificate:
    from uzart.pki.services import certificate_enrol

    not_after = (clock.now() + dt.timedelta(days=days_left)).replace(microsecond=0)
    return certificate_enrol(
        user=user,
        company=company,
        pin=PIN,
        not_before=not_after - dt.timedelta(days=365),
        not_after=not_after,
    )


@pytest.fixture
def ca(db):  # type: ignore[no-untyped-def]
    from uzart.pki.services import ca_init

    with time_machine.travel(clock.now() - dt.timedelta(days=800), tick=False):
        _root, issuing, _created = ca_init(organization="ОсОО «Тест Оператор»")
    return issuing


def fund(company: Company, amount: int, key: str = "seed") -> None:
    ledger_topup(
        company=company,
        amount=amount,
        idempotency_key=f"{key}:{company.pk}",
        method=LedgerEntry.Method.BANK_TRANSFER,
        document_number="ПП-1",
    )


@pytest.fixture
def tariffs(db):  # type: ignore[no-untyped-def]
    start = dt.date(2020, 1, 1)
    tariff_create(service=Tariff.Service.REMOTE_RENEWAL, role=None, price=REMOTE_PRICE, effective_from=start)
    tariff_create(service=Tariff.Service.OFFICE_RENEWAL, role=None, price=OFFICE_PRICE, effective_from=start)


@pytest.fixture
def world(ca, tariffs):  # type: ignore[no-untyped-def]
    operator_profile_save(
        actor=None,
        name="ОсОО «Тест Оператор»",
        support_email="office@operator.example",
        phones="+996 312 000 101",
        office_address="Бишкек, ул. Примерная 1",
        working_hours="Пн–Пт 9:00–18:00",
    )
    company = CompanyFactory(inn="02412201910101", legal_name="ОсОО «Тоо Булак»")
    user = holder(
        company=company,
        email="aigul@test.example",
        surname="Асанова",
        given_name="Айгуль",
        patronymic="Бакытовна",
    )
    certificate = enrol_for(user, company, days_left=20)
    fund(company, 1_000_000)
    return World(
        company=company,
        holder=user,
        certificate=certificate,
        specialist=specialist(email="spec@test.example"),
        other_specialist=specialist(email="spec2@test.example"),
    )
