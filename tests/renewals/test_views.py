"""The renewal pages: what each role sees, what a double click does, what a tampered request shows."""

from __future__ import annotations

import pytest

from tests.factories import CompanyFactory, holder
from tests.renewals.conftest import PIN, REMOTE_PRICE, enrol_for, fund
from uzart.billing.selectors import account_balance_get
from uzart.renewals import services
from uzart.renewals.models import RenewalRequest

pytestmark = pytest.mark.django_db


def _as(client, user, language="en"):
    client.force_login(user)
    client.cookies["uzart_language"] = language
    return client


def test_banner_on_every_holder_page_says_the_days_left(client, world):
    _as(client, world.holder)
    for page in ("/me/", "/renewals/", "/options/"):
        body = client.get(page).content.decode()
        assert "Your EDS expires in 20 days" in body, page
        assert 'href="/renew/"' in body


def test_renew_page_shows_the_request_tariff_and_balance_in_russian(client, world):
    _as(client, world.holder, "ru")
    body = client.get("/renew/").content.decode()
    assert "ЗАЯВКА НА ПРОДЛЕНИЕ ЭЦП" in body
    assert "Асанова Айгуль Бакытовна" in body and "02412201910101" in body
    assert "1\xa0510,00 сом" in body or "1 510,00 сом" in body
    assert "10\xa0000,00 сом" in body or "10 000,00 сом" in body
    assert "Подписать" in body


def test_a_double_click_on_sign_gives_one_request_and_one_charge(client, world):
    _as(client, world.holder)
    form = {"idempotency_key": "f" * 32, "details_unchanged": "on", "pin": PIN}
    first = client.post("/renew/", form)
    second = client.post("/renew/", form)
    request = RenewalRequest.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/renewals/{request.number}/"
    assert account_balance_get(company=world.company) == 1_000_000 - REMOTE_PRICE
    status = client.get(first["Location"]).content.decode()
    assert request.number in status and "place in the queue: 1" in status


def test_unticked_details_or_wrong_pin_keep_the_form_with_a_message_and_send_nothing(client, world):
    _as(client, world.holder)
    response = client.post("/renew/", {"idempotency_key": "g" * 32, "pin": PIN})
    assert response.status_code == 400
    assert "Please confirm that your details have not changed." in response.content.decode()
    response = client.post(
        "/renew/", {"idempotency_key": "g" * 32, "details_unchanged": "on", "pin": "111111"}
    )
    assert response.status_code == 400
    assert "Wrong PIN" in response.content.decode()
    assert RenewalRequest.objects.count() == 0


def test_short_balance_page_names_the_shortfall_and_offers_no_sign_button(client, world):
    poor = CompanyFactory()
    user = holder(company=poor)
    enrol_for(user, poor, days_left=20)
    fund(poor, 50_000)
    _as(client, user, "ru")
    body = client.get("/renew/").content.decode()
    assert "не хватает 1\xa0010,00 сом" in body or "не хватает 1 010,00 сом" in body
    assert 'data-testid="sign"' not in body
    response = client.post("/renew/", {"idempotency_key": "h" * 32, "details_unchanged": "on", "pin": PIN})
    assert response.status_code == 400
    assert RenewalRequest.objects.count() == 0 and account_balance_get(company=poor) == 50_000


def test_tampered_request_shows_not_valid_in_the_operator_view(client, world):
    request, _ = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="t" * 32, details_confirmed=True
    )
    _as(client, world.specialist)
    assert "The signature is valid" in client.get(f"/operator/renewals/{request.number}/").content.decode()
    pdf = bytearray(request.signed_pdf)
    pdf[pdf.index(b"/Contents") - 200] ^= 0x01
    RenewalRequest.objects.filter(pk=request.pk).update(signed_pdf=bytes(pdf))
    body = client.get(f"/operator/renewals/{request.number}/").content.decode()
    assert "The signature is NOT valid" in body


def test_operator_sees_differences_between_the_request_and_the_company_now(client, world):
    request, _ = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="t" * 32, details_confirmed=True
    )
    world.company.legal_name = "ОсОО «Тоо Булак Плюс»"
    world.company.save()
    _as(client, world.specialist)
    body = client.get(f"/operator/renewals/{request.number}/").content.decode()
    assert 'data-testid="differences"' in body and "Тоо Булак Плюс" in body


def test_roles_reach_only_their_pages(client, world):
    request, _ = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="r" * 32, details_confirmed=True
    )
    stranger = holder(company=CompanyFactory())
    _as(client, stranger)
    assert client.get(f"/renewals/{request.number}/").status_code == 404
    assert client.post(f"/renewals/{request.number}/cancel/").status_code == 404
    assert client.get("/operator/renewals/").status_code == 403
    assert client.get(f"/operator/renewals/{request.number}/").status_code == 403
    assert client.post(f"/operator/renewals/{request.number}/claim/").status_code == 403
    assert client.get(f"/operator/renewals/{request.number}/request.pdf").status_code == 403
    _as(client, world.specialist)
    assert client.get("/renew/").status_code == 403
    pdf = client.get(f"/operator/renewals/{request.number}/request.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.logout()
    assert client.get("/renew/").status_code == 302
    request.refresh_from_db()
    assert request.status == "submitted"


def test_holder_without_an_open_window_gets_a_clear_message_not_an_error(client, world):
    far = holder(company=world.company, role="signer")
    enrol_for(far, world.company, days_left=45)
    _as(client, far)
    response = client.get("/renew/")
    assert response.status_code == 404
    assert "the renewal opens 30 days before expiry" in response.content.decode()


def test_specialist_works_the_queue_claim_approve_through_the_pages(client, world):
    request, _ = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="q" * 32, details_confirmed=True
    )
    _as(client, world.specialist)
    queue = client.get("/operator/renewals/").content.decode()
    assert request.number in queue
    client.post(f"/operator/renewals/{request.number}/claim/")
    _as(client, world.other_specialist)
    refused = client.post(f"/operator/renewals/{request.number}/approve/", follow=True).content.decode()
    assert "Another specialist is working on this request." in refused
    _as(client, world.specialist)
    client.post(f"/operator/renewals/{request.number}/approve/")
    request.refresh_from_db()
    assert request.status == "issued" and request.decided_by == world.specialist
