"""The REST API's own rules: tokens, scopes, sessions with CSRF, problem documents, rate limits, audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
import time_machine
from django.test import Client

from tests.api.conftest import PIN, api_client, token_for
from tests.factories import TEST_PASSWORD
from uzart import clock
from uzart.api.models import ApiToken, RateCounter
from uzart.api.services import api_token_create, api_token_revoke, rate_counter_hit
from uzart.audit.models import AuditEvent
from uzart.billing.selectors import account_balance_get
from uzart.keystore.models import CloudKey
from uzart.renewals.models import RenewalRequest, Status

WRONG_PIN = "135790"


def sign_body(pin: str = PIN, key: str | None = None) -> dict[str, object]:
    return {"pin": pin, "details_confirmed": True, "idempotency_key": key or uuid.uuid4().hex}


def post(client: Client, path: str, body: dict[str, object] | None = None, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(path, body or {}, content_type="application/json", headers=headers)


# --- tokens -----------------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_sha256_and_shown_once(api_world):
    row, raw = api_token_create(user=api_world.holder_a, name="1C", scopes=["read"])

    stored = ApiToken.objects.get(pk=row.pk)
    assert raw.startswith("uzt_") and len(raw) > 40
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(stored.__dict__)
    assert stored.prefix == raw[:12]
    event = AuditEvent.objects.get(action="api.token_create")
    assert raw not in str(event.data) and event.data["scopes"] == ["read"]


def test_a_revoked_or_expired_token_no_longer_opens_the_api(api_world):
    row, raw = api_token_create(
        user=api_world.holder_a, name="temp", scopes=["read"], expires_at=clock.now() + dt.timedelta(days=1)
    )
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/me").status_code == 200

    with time_machine.travel(clock.now() + dt.timedelta(days=2), tick=False):
        assert client.get("/api/v1/me").status_code == 401
    api_token_revoke(token=row, actor=api_world.holder_a)

    assert client.get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="api.token_revoke", target_id=str(row.pk)).exists()


def test_another_user_cannot_revoke_a_token_but_an_operator_admin_can(api_world):
    from uzart.errors import NotFound

    row, _raw = api_token_create(user=api_world.holder_a, name="1C", scopes=["read"])

    with pytest.raises(NotFound):
        api_token_revoke(token=row, actor=api_world.holder_b)
    api_token_revoke(token=row, actor=api_world.admin)
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None


@pytest.mark.parametrize(
    ("scopes", "method", "path", "needed"),
    [
        (["read"], "POST", "/api/v1/renewals", "sign"),
        (["read", "write"], "POST", "/api/v1/renewals", "sign"),
        (["read", "sign"], "POST", "/api/v1/renewals/261127-AAAAA/cancel", "write"),
        (["sign"], "GET", "/api/v1/certificates", "read"),
    ],
)
def test_a_token_without_the_operations_scope_is_refused(api_world, scopes, method, path, needed):
    client = api_client(api_world.holder_a, scopes)

    reply = (
        client.get(path) if method == "GET" else post(client, path, sign_body(), **{"Accept-Language": "en"})
    )

    assert reply.status_code == 403
    assert reply.json()["code"] == "scope_missing"
    assert needed in reply.json()["detail"]
    assert not RenewalRequest.objects.exists()


def test_a_malformed_authorization_header_is_not_mistaken_for_the_session(api_world):
    client = Client()
    client.login(email=api_world.holder_a.email, password=TEST_PASSWORD)

    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


# --- the web session ----------------------------------------------------------------------------------


def test_the_web_session_authenticates_and_unsafe_methods_need_the_csrf_token(api_world):
    client = Client(enforce_csrf_checks=True)
    client.login(email=api_world.holder_a.email, password=TEST_PASSWORD)

    read = client.get("/api/v1/certificates")
    forged = post(client, "/api/v1/renewals", sign_body(), **{"Accept-Language": "en"})
    client.get("/api/v1/tokens/manage/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    genuine = post(client, "/api/v1/renewals", sign_body(), **{"X-CSRFToken": csrf})

    assert read.status_code == 200
    assert forged.status_code == 403
    assert forged.json()["code"] == "csrf_failed"
    assert genuine.status_code == 201
    assert RenewalRequest.objects.count() == 1


def test_a_token_needs_no_csrf_token(api_world):
    client = Client(
        enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(api_world.holder_a)}"}
    )

    assert post(client, "/api/v1/renewals", sign_body()).status_code == 201


# --- problem documents --------------------------------------------------------------------------------


def test_errors_are_problem_documents_in_the_callers_language(api_world):
    client = api_client(api_world.holder_a)

    english = post(client, "/api/v1/renewals", sign_body(WRONG_PIN), **{"Accept-Language": "en"})
    russian = post(client, "/api/v1/renewals", sign_body(WRONG_PIN), **{"Accept-Language": "ru"})
    kyrgyz = post(client, "/api/v1/renewals", sign_body(WRONG_PIN), **{"Accept-Language": "ky"})

    assert english["Content-Type"].startswith("application/problem+json")
    assert english.json() == {
        "type": "urn:uzart:problem:wrong_pin",
        "title": "Bad request",
        "status": 400,
        "detail": "Wrong PIN. 4 attempts left.",
        "code": "wrong_pin",
        "attempts_left": 4,
    }
    assert "PIN" in russian.json()["detail"] and "3" in russian.json()["detail"]
    assert russian.json()["detail"] != kyrgyz.json()["detail"]
    assert kyrgyz.json()["title"] != "Bad request" and russian.json()["title"] != "Bad request"


def test_a_low_balance_is_a_402_problem_with_the_shortfall_and_nothing_is_charged(api_world):
    from uzart.billing.services import ledger_adjust

    ledger_adjust(
        company=api_world.company_a,
        amount=-account_balance_get(company=api_world.company_a) + 1000,
        reason="test",
        idempotency_key="drain",
        actor=api_world.admin,
    )
    client = api_client(api_world.holder_a)

    reply = post(client, "/api/v1/renewals", sign_body(), **{"Accept-Language": "en"})

    assert reply.status_code == 402
    assert reply.json()["code"] == "insufficient_funds"
    assert reply.json()["balance"] == 1000
    assert reply.json()["shortfall"] > 0
    assert not RenewalRequest.objects.exists()


def test_invalid_input_is_a_422_problem_that_never_echoes_the_pin(api_world):
    client = api_client(api_world.holder_a)

    reply = post(client, "/api/v1/renewals", {"pin": "12ab34", "details_confirmed": "yes"})

    assert reply.status_code == 422
    assert reply.json()["code"] == "invalid_input"
    fields = {tuple(error["loc"])[-1] for error in reply.json()["errors"]}
    assert fields == {"pin", "details_confirmed", "idempotency_key"}
    assert "12ab34" not in reply.content.decode()
    assert CloudKey.objects.get(pk=api_world.certificate_a.key_id).failed_attempts == 0


def test_an_unreadable_body_is_a_400_problem(api_world):
    client = api_client(api_world.holder_a)

    reply = client.post("/api/v1/renewals", b"{not json", content_type="application/json")

    assert reply.status_code == 400
    assert reply.json()["code"] == "malformed_request"


def test_the_openapi_document_describes_errors_as_problem_json():
    schema = Client().get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/renewals"]["post"]
    assert set(operation["responses"]["402"]["content"]) == {"application/problem+json"}
    assert set(operation["responses"]["201"]["content"]) == {"application/json"}
    assert {"BearerToken", "SessionCookie"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_is_served_without_outside_resources(db):
    page = Client().get("/api/v1/docs")

    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in page.content.decode()
    assert "cdn" not in page.content.decode().lower()


# --- the flow through the API -------------------------------------------------------------------------


def test_a_holder_signs_checks_and_cancels_a_request_and_the_services_audit_it(api_world):
    client = api_client(api_world.holder_a)
    key = uuid.uuid4().hex

    offer = client.get("/api/v1/renewal-offer").json()
    first = post(client, "/api/v1/renewals", sign_body(key=key))
    retry = post(client, "/api/v1/renewals", sign_body(key=key))
    number = first.json()["number"]
    status = client.get(f"/api/v1/renewals/{number}").json()
    cancelled = post(client, f"/api/v1/renewals/{number}/cancel")

    assert offer["can_renew"] and offer["price"] == 151_000 and offer["shortfall"] == 0
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["number"] == number
    assert status["queue_position"] == 1 and status["paid"]
    assert cancelled.status_code == 200 and cancelled.json()["status"] == Status.CANCELLED
    assert account_balance_get(company=api_world.company_a) == 1_000_000  # debited once, refunded
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"renewal.submit", "renewal.cancel", "ledger.debit", "ledger.refund"} <= actions


def test_a_specialist_claims_and_approves_and_records_a_payment_once(api_world):
    holder = api_client(api_world.holder_a)
    number = post(holder, "/api/v1/renewals", sign_body()).json()["number"]
    operator = api_client(api_world.specialist)
    payment = {"method": "bank_transfer", "amount": 250_000, "document_number": "ПП-901"}

    queue = operator.get("/api/v1/queue").json()
    claimed = post(operator, f"/api/v1/queue/{number}/claim")
    approved = post(operator, f"/api/v1/queue/{number}/approve")
    paid = post(operator, f"/api/v1/companies/{api_world.company_a.pk}/payments", payment)
    repeated = post(operator, f"/api/v1/companies/{api_world.company_a.pk}/payments", payment)

    assert [item["number"] for item in queue["items"]] == [number]
    assert claimed.json()["claimed_by"] == api_world.specialist.email
    assert approved.json()["status"] == Status.ISSUED and approved.json()["issued_certificate_serial"]
    assert (paid.status_code, repeated.status_code) == (201, 200)
    assert repeated.json()["created"] is False
    assert paid.json()["balance"] == repeated.json()["balance"] == 1_000_000 - 151_000 + 250_000
    assert AuditEvent.objects.filter(action="renewal.approve", actor=api_world.specialist).exists()
    assert AuditEvent.objects.filter(action="ledger.topup", actor=api_world.specialist).count() == 1


def test_certificates_report_status_and_days_left_from_the_dates(api_world):
    client = api_client(api_world.holder_a)

    items = client.get("/api/v1/certificates").json()["items"]
    with time_machine.travel(api_world.certificate_a.not_after + dt.timedelta(days=1), tick=False):
        expired = client.get(
            f"/api/v1/certificates/{api_world.certificate_a.serial}", headers={"Accept-Language": "en"}
        )

    assert [(c["status"], c["in_force"], c["days_left"]) for c in items] == [("in_force", True, 20)]
    # the holder's only EDS has expired: like the web login, the API refuses and says why
    assert expired.status_code == 403
    assert "expired" in expired.json()["detail"]


# --- rate limits ----------------------------------------------------------------------------------------


def test_wrong_tokens_from_one_address_are_cut_off_and_the_count_lives_in_the_database(api_world, settings):
    settings.API_RATE_LIMITS = {"token_failure": (3, 300), "pin": (10, 900)}
    good = token_for(api_world.holder_a)
    attacker = Client(REMOTE_ADDR="203.0.113.9", headers={"Accept-Language": "en"})
    elsewhere = Client(REMOTE_ADDR="198.51.100.7", headers={"Authorization": f"Bearer {good}"})

    wrong = [attacker.get("/api/v1/me", headers={"Authorization": f"Bearer uzt_guess{i}"}) for i in range(3)]
    blocked = attacker.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"})

    assert [r.status_code for r in wrong] == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_attempts"
    assert 0 < int(blocked["Retry-After"]) <= 300
    assert elsewhere.get("/api/v1/me").status_code == 200
    assert RateCounter.objects.filter(count=3).exists()
    assert "203.0.113.9" not in str(list(RateCounter.objects.values_list("key", flat=True)))


def test_failures_counted_by_another_process_count_here_too(api_world, settings):
    settings.API_RATE_LIMITS = {"token_failure": (2, 300), "pin": (10, 900)}
    for _ in range(2):  # as another web process would, writing to the shared database
        rate_counter_hit(bucket="token_failure", ident="192.0.2.1")

    reply = Client(REMOTE_ADDR="192.0.2.1").get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token_for(api_world.holder_a)}"}
    )

    assert reply.status_code == 429


def test_the_window_passes_and_the_address_may_try_again(api_world, settings):
    settings.API_RATE_LIMITS = {"token_failure": (1, 300), "pin": (10, 900)}
    client = Client(REMOTE_ADDR="192.0.2.2")
    client.get("/api/v1/me", headers={"Authorization": "Bearer uzt_wrong"})
    token = token_for(api_world.holder_a)

    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 429
    with time_machine.travel(clock.now() + dt.timedelta(seconds=301), tick=False):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_pin_steps_of_the_rest_api_are_limited_per_holder(api_world, settings):
    settings.API_RATE_LIMITS = {"token_failure": (20, 300), "pin": (2, 900)}
    client = api_client(api_world.holder_a)

    replies = [post(client, "/api/v1/renewals", sign_body(WRONG_PIN)) for _ in range(3)]

    assert [r.status_code for r in replies] == [400, 400, 429]
    assert CloudKey.objects.get(pk=api_world.certificate_a.key_id).failed_attempts == 2
