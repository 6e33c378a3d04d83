"""The demo data: real keys and certificates with the promised end dates, balances, idempotent loading."""

from __future__ import annotations

import pytest

from uzart import clock
from uzart.accounts.models import Company, User
from uzart.billing.models import Tariff
from uzart.billing.selectors import account_balance_get, tariff_current
from uzart.pki.models import Certificate
from uzart.renewals.selectors import renewal_offer_for
from uzart.signing.eds_login import eds_login_verify
from uzart.web.demo import DEMO_PEOPLE, demo_load
from uzart.workdays.selectors import working_days_between

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_real_certificates_and_the_promised_dates():
    demo_load()
    counts = (User.objects.count(), Company.objects.count(), Certificate.objects.count())
    demo_load()
    assert (User.objects.count(), Company.objects.count(), Certificate.objects.count()) == counts
    assert counts == (7, 3, 4)

    today = clock.today_bishkek()
    by_email = {p.email: p for p in DEMO_PEOPLE}
    for email, days in (("aigul@demo.example", 45), ("erlan@demo.example", 20), ("nurlan@demo.example", -1)):
        certificate = Certificate.objects.get(owner__email=email)
        assert (clock.to_bishkek(certificate.not_after).date() - today).days == days
    olga = Certificate.objects.get(owner__email="olga@demo.example")
    assert working_days_between(start=today, end=clock.to_bishkek(olga.not_after).date()) == 2

    erlan = User.objects.get(email="erlan@demo.example")
    offer = renewal_offer_for(user=erlan)
    assert offer is not None and offer.days_left == 20
    proof = eds_login_verify(user=erlan, pin=by_email["erlan@demo.example"].pin)
    assert proof.certificate.owner == erlan


def test_demo_has_a_company_with_too_little_balance_for_a_renewal():
    demo_load()
    price = tariff_current(service=Tariff.Service.REMOTE_RENEWAL, role=None, at=clock.now()).price
    poor = Company.objects.get(inn="02203201710303")
    rich = Company.objects.get(inn="01506201810202")
    assert account_balance_get(company=poor) < price <= account_balance_get(company=rich)
