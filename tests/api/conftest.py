"""The renewal world with a second company, an accountant, operator staff, and API tokens for each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import CompanyFactory, holder, operator_admin
from tests.renewals.conftest import PIN, ca, enrol_for, fund, tariffs, world  # noqa: F401 - fixtures
from uzart.accounts.models import Company, Membership, User
from uzart.api.services import api_token_create
from uzart.pki.models import Certificate

ALL_SCOPES = ["read", "write", "sign"]


@dataclass
class ApiWorld:
    company_a: Company
    company_b: Company
    holder_a: User
    holder_b: User
    accountant_a: User
    specialist: User
    other_specialist: User
    admin: User
    certificate_a: Certificate
    certificate_b: Certificate


@pytest.fixture
def api_world(request, db):  # type: ignore[no-untyped-def]
    base = request.getfixturevalue("world")
    company_b = CompanyFactory(inn="01101199900012", legal_name="ОсОО «Ак Жол»")
    holder_b = holder(company=company_b, email="bolot@b.example", surname="Бекмуратов", given_name="Болот")
    certificate_b = enrol_for(holder_b, company_b, days_left=25)
    fund(company_b, 500_000)
    accountant_a = holder(
        company=base.company, role=Membership.Role.ACCOUNTANT, email="buh@a.example", surname="Эсепчи"
    )
    return ApiWorld(
        company_a=base.company,
        company_b=company_b,
        holder_a=base.holder,
        holder_b=holder_b,
        accountant_a=accountant_a,
        specialist=base.specialist,
        other_specialist=base.other_specialist,
        admin=operator_admin(email="admin@operator.example"),
        certificate_a=base.certificate,
        certificate_b=certificate_b,
    )


def token_for(user: User, scopes: list[str] | None = None) -> str:
    _row, raw = api_token_create(user=user, name="tests", scopes=scopes or ALL_SCOPES)
    return raw


def api_client(user: User | None, scopes: list[str] | None = None) -> Client:
    """A test client that sends the user's token (or none for None) in every request."""
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {token_for(user, scopes)}"})
