"""Schemathesis drives every operation of /api/v1/openapi.json as a holder: no 5xx, nothing off-schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.api.conftest import token_for
from uzart.wsgi import application

# A request valid in shape may still be refused by a business rule: a wrong PIN (400), a balance too low
# (402), a locked key (423), a request in another state (409). Only those answers count as acceptance.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2XX", "400", "401", "402", "403", "404", "409", "423", "429"]
            }
        }
    }
)
# Loaded at collection (no database needed); schemathesis' lazy from_fixture does not run on pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():  # type: ignore[no-untyped-def]
    """The raw WSGI app closes the database connection after each request, which would end the test's
    transaction (PostgreSQL); Django's test client avoids that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["holder", "specialist"])
def token(request, api_world) -> str:  # type: ignore[no-untyped-def]
    """A holder's token (the integrator's usual case), then a specialist's for the operator operations."""
    return token_for(api_world.holder_a if request.param == "holder" else api_world.specialist)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_every_operation_answers_within_its_schema_and_never_with_a_server_error(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
