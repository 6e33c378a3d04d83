"""The tariff in effect at an instant: by service, by role where priced apart, from a Bishkek date."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import operator_admin
from uzart.audit.models import AuditEvent
from uzart.billing.errors import TariffNotFound
from uzart.billing.selectors import tariff_current, tariff_list_current
from uzart.billing.services import tariff_create
from uzart.errors import UzartError, ValidationFailed

pytestmark = pytest.mark.django_db
BISHKEK = dt.timezone(dt.timedelta(hours=6))
REMOTE, OFFICE = "remote_renewal", "office_renewal"


@pytest.fixture
def tariffs():
    tariff_create(service=REMOTE, role=None, price=1_400_00, effective_from=dt.date(2025, 1, 1))
    tariff_create(service=REMOTE, role=None, price=1_510_00, effective_from=dt.date(2026, 1, 1))
    tariff_create(service=REMOTE, role="signer", price=1_200_00, effective_from=dt.date(2026, 1, 1))
    tariff_create(service=OFFICE, role=None, price=1_800_00, effective_from=dt.date(2025, 1, 1))


def test_the_newest_tariff_that_has_started_applies(tariffs):
    at = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    assert tariff_current(service=REMOTE, role="head", at=at).price == 1_510_00
    assert tariff_current(service=REMOTE, role=None, at=at).price == 1_510_00
    assert tariff_current(service=OFFICE, role="head", at=at).price == 1_800_00
    earlier = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    assert tariff_current(service=REMOTE, role="head", at=earlier).price == 1_400_00


def test_a_role_priced_apart_gets_its_own_tariff(tariffs):
    at = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    assert tariff_current(service=REMOTE, role="signer", at=at).price == 1_200_00
    before_role_price = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    assert tariff_current(service=REMOTE, role="signer", at=before_role_price).price == 1_400_00


def test_the_effective_date_starts_at_midnight_in_bishkek(tariffs):
    # 2025-12-31 18:30 UTC is already 2026-01-01 00:30 in Bishkek.
    assert (
        tariff_current(service=REMOTE, role=None, at=dt.datetime(2025, 12, 31, 18, 30, tzinfo=dt.UTC)).price
        == 1_510_00
    )
    assert (
        tariff_current(service=REMOTE, role=None, at=dt.datetime(2025, 12, 31, 23, 59, tzinfo=BISHKEK)).price
        == 1_400_00
    )


def test_no_tariff_in_effect_is_a_clear_user_error():
    with pytest.raises(TariffNotFound) as info:
        tariff_current(service=REMOTE, role="head", at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert isinstance(info.value, UzartError)
    assert "tariff" in str(info.value).lower()


def test_current_tariffs_list_one_per_service_and_role(tariffs):
    current = tariff_list_current(at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert [(t.service, t.role, t.price) for t in current] == [
        (REMOTE, "", 1_510_00),
        (REMOTE, "signer", 1_200_00),
        (OFFICE, "", 1_800_00),
    ]


def test_tariff_create_validates_and_audits():
    admin = operator_admin()
    with pytest.raises(ValidationFailed):
        tariff_create(service="teleport", role=None, price=1, effective_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        tariff_create(service=REMOTE, role="boss", price=1, effective_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        tariff_create(service=REMOTE, role=None, price=0, effective_from=dt.date(2026, 1, 1))
    tariff = tariff_create(
        service=REMOTE, role=None, price=1_510_00, effective_from=dt.date(2026, 1, 1), actor=admin
    )
    with pytest.raises(ValidationFailed):
        tariff_create(service=REMOTE, role="", price=1_600_00, effective_from=dt.date(2026, 1, 1))
    event = AuditEvent.objects.get(action="tariff.create")
    assert event.actor == admin
    assert event.target_id == str(tariff.pk)
    assert event.data["price"] == 1_510_00
