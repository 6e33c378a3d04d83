"""Every API operation × every kind of caller → allowed or denied, as a table.

Company A has a holder (with a renewal request in the queue) and an accountant; company B has its own
holder. Besides the expected status, every answer is searched for the other company's identifiers, and
every refused write is checked to have changed nothing.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import PIN, token_for
from uzart.billing.models import LedgerEntry
from uzart.billing.selectors import account_balance_get
from uzart.renewals.models import RenewalRequest
from uzart.renewals.services import renewal_claim, renewal_submit

ROLES = ("anonymous", "holder_a", "holder_b", "accountant_a", "specialist", "admin")
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
DOCUMENT_HASH = base64.b64encode(hashlib.sha256(b"contract").digest()).decode()


@dataclass
class Scene:
    """The API world plus the objects the operations address."""

    world: Any
    request_a: RenewalRequest
    callers: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> Any:
        return self.callers[role]


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: Callable[[Scene], str]
    expect: dict[str, int]
    body: Callable[[Scene], dict[str, Any]] = lambda scene: {}
    setup: Callable[[Scene], None] = lambda scene: None


def everyone(status: int, **overrides: int) -> dict[str, int]:
    table = {role: status for role in ROLES}
    table["anonymous"] = 401
    table.update(overrides)
    return table


def customers(status: int, **overrides: int) -> dict[str, int]:
    return everyone(status, **{"specialist": 403, "admin": 403, **overrides})


def operators_only(status: int, **overrides: int) -> dict[str, int]:
    return everyone(403, **{"specialist": status, "admin": status, **overrides})


def claimed_by_specialist(scene: Scene) -> None:
    renewal_claim(actor=scene.world.specialist, request=scene.request_a)


def sad_of_holder_a(scene: Scene) -> dict[str, Any]:
    client = Client(headers={"Authorization": f"Bearer {token_for(scene.world.holder_a, ['sign'])}"})
    reply = client.post(
        "/csc/v1/credentials/authorize",
        {
            "credentialID": scene.world.certificate_a.serial,
            "numSignatures": 1,
            "hash": [DOCUMENT_HASH],
            "PIN": PIN,
        },
        content_type="application/json",
    )
    return {
        "credentialID": scene.world.certificate_a.serial,
        "SAD": reply.json()["SAD"],
        "hash": [DOCUMENT_HASH],
        "signAlgo": ECDSA_SHA256,
    }


def company_a(scene: Scene) -> int:
    return int(scene.world.company_a.pk)


OPERATIONS = [
    Op("me", "GET", lambda s: "/api/v1/me", everyone(200)),
    Op(
        "my certificates",
        "GET",
        lambda s: "/api/v1/certificates",
        customers(200),
    ),
    Op(
        "one certificate of holder A",
        "GET",
        lambda s: f"/api/v1/certificates/{s.world.certificate_a.serial}",
        customers(404, holder_a=200),
    ),
    Op("renewal offer", "GET", lambda s: "/api/v1/renewal-offer", customers(200, accountant_a=404)),
    Op("my renewal requests", "GET", lambda s: "/api/v1/renewals", customers(200)),
    Op(
        "sign a renewal request",
        "POST",
        lambda s: "/api/v1/renewals",
        customers(201, holder_a=200, accountant_a=404),
        body=lambda s: {"pin": PIN, "details_confirmed": True, "idempotency_key": uuid.uuid4().hex},
    ),
    Op(
        "request of holder A",
        "GET",
        lambda s: f"/api/v1/renewals/{s.request_a.number}",
        customers(404, holder_a=200),
    ),
    Op(
        "cancel the request of holder A",
        "POST",
        lambda s: f"/api/v1/renewals/{s.request_a.number}/cancel",
        customers(404, holder_a=200),
    ),
    Op("companies", "GET", lambda s: "/api/v1/companies", everyone(200)),
    Op(
        "balance of company A",
        "GET",
        lambda s: f"/api/v1/companies/{company_a(s)}",
        everyone(200, holder_b=403),
    ),
    Op(
        "statement of company A",
        "GET",
        lambda s: f"/api/v1/companies/{company_a(s)}/statement",
        everyone(200, holder_b=403),
    ),
    Op(
        "payment to company A",
        "POST",
        lambda s: f"/api/v1/companies/{company_a(s)}/payments",
        operators_only(201),
        body=lambda s: {"method": "bank_transfer", "amount": 500_000, "document_number": "ПП-77"},
    ),
    Op("queue", "GET", lambda s: "/api/v1/queue", operators_only(200)),
    Op("queue item A", "GET", lambda s: f"/api/v1/queue/{s.request_a.number}", operators_only(200)),
    Op("claim A", "POST", lambda s: f"/api/v1/queue/{s.request_a.number}/claim", operators_only(200)),
    Op(
        "release A claimed by the specialist",
        "POST",
        lambda s: f"/api/v1/queue/{s.request_a.number}/release",
        operators_only(200),
        setup=claimed_by_specialist,
    ),
    Op(
        "approve A claimed by the specialist",
        "POST",
        lambda s: f"/api/v1/queue/{s.request_a.number}/approve",
        operators_only(200, admin=409),
        setup=claimed_by_specialist,
    ),
    Op(
        "reject A",
        "POST",
        lambda s: f"/api/v1/queue/{s.request_a.number}/reject",
        operators_only(200),
        body=lambda s: {"reason": "Документы не совпадают"},
    ),
    Op("csc info", "POST", lambda s: "/csc/v1/info", everyone(200, anonymous=200)),
    Op("csc credentials of the caller", "POST", lambda s: "/csc/v1/credentials/list", everyone(200)),
    Op(
        "csc credential of holder A",
        "POST",
        lambda s: "/csc/v1/credentials/info",
        everyone(400, holder_a=200),
        body=lambda s: {"credentialID": s.world.certificate_a.serial},
    ),
    Op(
        "csc authorize holder A's credential with the right PIN",
        "POST",
        lambda s: "/csc/v1/credentials/authorize",
        everyone(400, holder_a=200),
        body=lambda s: {
            "credentialID": s.world.certificate_a.serial,
            "numSignatures": 1,
            "hash": [DOCUMENT_HASH],
            "PIN": PIN,
        },
    ),
    Op(
        "csc sign with holder A's SAD",
        "POST",
        lambda s: "/csc/v1/signatures/signHash",
        everyone(400, holder_a=200),
        body=sad_of_holder_a,
    ),
]


@pytest.fixture
def scene(api_world) -> Scene:  # type: ignore[no-untyped-def]
    request_a, _created = renewal_submit(
        user=api_world.holder_a, pin=PIN, idempotency_key="scene-request-a", details_confirmed=True
    )
    callers = {role: getattr(api_world, role, None) for role in ROLES}
    return Scene(world=api_world, request_a=request_a, callers=callers)


def _snapshot(scene: Scene) -> dict[str, Any]:
    world = scene.world
    request_a = RenewalRequest.objects.get(pk=scene.request_a.pk)
    return {
        "request_a": (request_a.status, request_a.claimed_by_id, request_a.decided_at),
        "requests": RenewalRequest.objects.count(),
        "balance_a": account_balance_get(company=world.company_a),
        "balance_b": account_balance_get(company=world.company_b),
        "entries": LedgerEntry.objects.count(),
    }


def _foreign_markers(scene: Scene, role: str) -> list[str]:
    """What the caller must never see: the other company's INN, holder and certificate."""
    world = scene.world
    a = [world.company_a.inn, world.holder_a.email, world.certificate_a.serial, scene.request_a.number or ""]
    b = [world.company_b.inn, world.holder_b.email, world.certificate_b.serial]
    if role == "holder_b":
        return a
    if role in ("holder_a", "accountant_a"):
        return b
    return []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_each_caller_gets_exactly_the_access_the_table_gives(scene, op, role):
    op.setup(scene)
    body = op.body(scene)
    user = scene.user(role)
    headers = {"Accept-Language": "en"}
    if user is not None:
        headers["Authorization"] = f"Bearer {token_for(user)}"
    before = _snapshot(scene)

    client = Client(headers=headers)
    if op.method == "GET":
        reply = client.get(op.path(scene))
    else:
        reply = client.post(op.path(scene), body, content_type="application/json")

    assert reply.status_code == op.expect[role], (op.name, role, reply.content[:400])
    text = reply.content.decode()
    for marker in _foreign_markers(scene, role):
        assert marker not in text, f"{role} saw {marker!r} in {op.name}"
    if reply.status_code >= 400:
        assert _snapshot(scene) == before, f"a refused {op.name} by {role} changed something"
        if op.path(scene).startswith("/api/"):
            assert reply["Content-Type"].startswith("application/problem+json")
