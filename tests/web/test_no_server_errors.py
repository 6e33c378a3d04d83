"""Empty and malformed submissions to every form, by every role, never give a server error."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.factories import operator_admin
from tests.renewals.conftest import PIN
from uzart.renewals import services

GARBAGE = [
    {},
    {"idempotency_key": "x", "pin": "", "details_unchanged": "maybe"},
    {"idempotency_key": "k" * 500, "pin": "😀" * 40, "language": "zz", "next": "javascript:alert(1)"},
    {"inn": "\x00" * 20, "legal_name": "<script>", "legal_form": "nope", "amount": "-1e999", "reason": " "},
    {"holder_email": "not-an-email", "company_inn": "abc", "payment": "bitcoin", "new_pin": "1"},
]


@pytest.mark.django_db
def test_every_form_answers_garbage_with_a_clear_status_not_a_500(client, world, settings):
    settings.PAYMENT_WEBHOOK_SECRET = "w" * 40  # configured, so the webhook checks its input
    request, _ = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="n" * 32, details_confirmed=True
    )
    n, c = request.number, world.company.pk
    posts = [
        "/login/", "/login/eds/", "/language/", "/renew/", "/renew/changed/", f"/renewals/{n}/cancel/",
        "/operator/companies/new/", "/operator/renewals/office/", f"/operator/renewals/{n}/claim/",
        f"/operator/renewals/{n}/reject/", f"/operator/renewals/{n}/approve/", f"/operator/renewals/{n}/nonsense/",
        "/me/pin/", f"/billing/company/{c}/simulate/", f"/billing/operator/company/{c}/payment/",
        f"/billing/operator/company/{c}/adjust/", "/billing/webhook/payment/", "/options/reminders/",
        "/notifications/read/",
    ]  # fmt: skip
    gets = [
        f"/renewals/{n}%00/",
        "/renewals/../../etc/passwd/",
        "/billing/company/99999999999/",
        "/operator/?q=%00",
    ]
    users = [None, world.holder, world.specialist, operator_admin()]
    for user in users:
        client.logout()
        if user is not None:
            client.force_login(user)
        for page in posts:
            for body in GARBAGE:
                response = client.post(page, body)
                assert response.status_code < 500, (page, body, user, response.status_code)
        for page in gets:
            assert client.get(page).status_code < 500, (page, user)
    # The holder's bodiless cancel is a real cancel; whatever happened, the money still adds up.
    request.refresh_from_db()
    assert request.status == "cancelled"
    call_command("ledger", "reconcile")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/renewals/AB%00CD/", {}),
        ("get", "/operator/", {"q": "\x00"}),
        ("post", "/language/", {"language": "ru", "next": "/\x00"}),
    ],
    ids=["path", "query", "form"],
)
def test_a_nul_character_anywhere_is_a_clear_400(client, world, method, path, data):
    client.force_login(world.specialist)
    client.cookies["uzart_language"] = "en"
    response = getattr(client, method)(path, data)
    assert response.status_code == 400
    assert "not allowed (NUL)" in response.content.decode()
