"""A holder whose EDS has expired is refused by the API as at the web login, with the same reason."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db


def test_token_of_a_holder_with_no_certificate_in_force_is_refused_with_the_reason(api_world):
    client = api_client(api_world.holder_a)
    assert client.get("/api/v1/certificates").status_code == 200
    with time_machine.travel(api_world.certificate_a.not_after + dt.timedelta(minutes=1), tick=False):
        response = client.get("/api/v1/certificates", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert "Your EDS expired on" in response.json()["detail"]


def test_an_accountant_token_does_not_depend_on_any_certificate(api_world):
    client = api_client(api_world.accountant_a)
    with time_machine.travel(api_world.certificate_a.not_after + dt.timedelta(minutes=1), tick=False):
        response = client.get(f"/api/v1/companies/{api_world.company_a.pk}")
    assert response.status_code == 200
