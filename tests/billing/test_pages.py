"""Who may see which billing page, and what the operator's forms do."""

from __future__ import annotations

import pytest

from tests.factories import CompanyFactory, holder, operator_admin, specialist
from uzart.accounts.models import Membership
from uzart.audit.models import AuditEvent
from uzart.billing.models import LedgerEntry
from uzart.billing.selectors import account_balance_get, account_get_for_user
from uzart.billing.services import ledger_topup
from uzart.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies():
    a, b = CompanyFactory(legal_name="ОсОО «Альфа»"), CompanyFactory(legal_name="ОсОО «Бета»")
    ledger_topup(company=a, amount=1_510_00, idempotency_key="a", method="cash", document_number="КО-1")
    ledger_topup(company=b, amount=7_777_00, idempotency_key="b", method="cash", document_number="КО-2")
    return a, b


def _company_pages(company):
    return [f"/billing/company/{company.pk}/", f"/billing/company/{company.pk}/statement.csv"]


def _operator_pages(company):
    return [
        "/billing/operator/",
        f"/billing/operator/company/{company.pk}/",
        f"/billing/operator/company/{company.pk}/statement.csv",
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, companies):
    a, _b = companies
    for url in ["/billing/", *_company_pages(a), *_operator_pages(a)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]


def test_an_accountant_sees_the_own_company_statement_but_never_another_company(client, companies):
    a, b = companies
    client.force_login(holder(company=a, role=Membership.Role.ACCOUNTANT))
    page = client.get(f"/billing/company/{a.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1,510.00 som" in html
    assert "КО-1" in html
    for url in _company_pages(b):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "7,777.00" not in response.content.decode()
        assert "КО-2" not in response.content.decode()


def test_the_head_of_another_company_is_refused(client, companies):
    a, b = companies
    client.force_login(holder(company=b))
    for url in _company_pages(a):
        assert client.get(url).status_code == 403, url


def test_a_signer_who_is_not_head_or_accountant_cannot_see_the_balance(client, companies):
    a, _b = companies
    client.force_login(holder(company=a, role=Membership.Role.SIGNER))
    assert client.get(f"/billing/company/{a.pk}/").status_code == 403


def test_an_unknown_company_is_not_found(client, companies):
    client.force_login(holder(company=companies[0]))
    assert client.get("/billing/company/999999/").status_code == 404


def test_selector_refuses_other_companies_and_unknown_ones(companies):
    a, b = companies
    accountant = holder(company=a, role=Membership.Role.ACCOUNTANT)
    assert account_get_for_user(user=accountant, company_id=a.pk).balance == 1_510_00
    with pytest.raises(PermissionDenied):
        account_get_for_user(user=accountant, company_id=b.pk)
    with pytest.raises(NotFound):
        account_get_for_user(user=accountant, company_id=999_999)
    assert account_get_for_user(user=specialist(), company_id=b.pk).balance == 7_777_00


def test_a_company_without_entries_shows_zero_without_creating_an_account(client):
    company = CompanyFactory()
    client.force_login(holder(company=company))
    response = client.get(f"/billing/company/{company.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "0,00 сом" in response.content.decode()
    assert not company.__class__.objects.filter(pk=company.pk, billing_account__isnull=False).exists()


def test_billing_home_sends_a_one_company_member_to_its_page_and_operators_to_all_accounts(client, companies):
    a, _b = companies
    client.force_login(holder(company=a))
    assert client.get("/billing/")["Location"] == f"/billing/company/{a.pk}/"
    client.force_login(specialist())
    assert client.get("/billing/")["Location"] == "/billing/operator/"


def test_holders_cannot_see_operator_pages(client, companies):
    a, _b = companies
    client.force_login(holder(company=a))
    for url in _operator_pages(a):
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/billing/operator/company/{a.pk}/payment/",
        {"method": "cash", "amount": "100", "document_number": "X"},
    )
    assert response.status_code == 403
    assert account_balance_get(company=a) == 1_510_00


@pytest.mark.parametrize("make_staff", [specialist, operator_admin])
def test_operator_staff_see_all_accounts_and_search_by_inn_or_name(client, companies, make_staff):
    a, b = companies
    client.force_login(make_staff())
    html = client.get("/billing/operator/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert a.legal_name in html and b.legal_name in html
    by_name = client.get("/billing/operator/?q=Бета").content.decode()
    assert b.legal_name in by_name and a.legal_name not in by_name
    by_inn = client.get(f"/billing/operator/?q={a.inn}", HTTP_HX_REQUEST="true").content.decode()
    assert a.legal_name in by_inn and b.legal_name not in by_inn
    assert "<html" not in by_inn  # htmx gets only the rows
    assert client.get(f"/billing/operator/company/{b.pk}/").status_code == 200


def test_a_specialist_records_a_bank_payment_once_per_document(client, companies):
    a, _b = companies
    staff = specialist()
    client.force_login(staff)
    url = f"/billing/operator/company/{a.pk}/payment/"
    form = {"method": "bank_transfer", "amount": "2 000,50", "document_number": "ПП-000123"}
    response = client.post(url, form)
    assert response.status_code == 302
    assert account_balance_get(company=a) == 1_510_00 + 2_000_50
    assert client.post(url, form).status_code == 302  # the same document again: nothing changes
    assert account_balance_get(company=a) == 1_510_00 + 2_000_50
    conflict = client.post(url, {**form, "amount": "3000"})
    assert conflict.status_code == 400
    assert account_balance_get(company=a) == 1_510_00 + 2_000_50
    entry = LedgerEntry.objects.get(document_number="ПП-000123")
    assert entry.actor == staff
    assert entry.method == "bank_transfer"


@pytest.mark.parametrize(
    "form",
    [
        {"method": "cash", "amount": "0", "document_number": "1"},
        {"method": "cash", "amount": "abc", "document_number": "1"},
        {"method": "cash", "amount": "100", "document_number": ""},
        {"method": "provider", "amount": "100", "document_number": "1"},
    ],
)
def test_a_bad_payment_form_is_shown_again_and_changes_nothing(client, companies, form):
    a, _b = companies
    client.force_login(specialist())
    response = client.post(f"/billing/operator/company/{a.pk}/payment/", form)
    assert response.status_code == 400
    assert account_balance_get(company=a) == 1_510_00


def test_an_adjustment_is_recorded_once_per_form_and_audited_with_its_reason(client, companies):
    a, _b = companies
    staff = specialist()
    client.force_login(staff)
    url = f"/billing/operator/company/{a.pk}/adjust/"
    form = {"amount": "-10", "reason": "Двойное зачисление", "form_key": "f" * 32}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # a double click
    assert account_balance_get(company=a) == 1_500_00
    entry = LedgerEntry.objects.get(kind="adjustment")
    event = AuditEvent.objects.get(action="ledger.adjustment")
    assert event.actor == staff
    assert event.data["reason"] == "Двойное зачисление"
    assert event.target_id == str(entry.pk)
    too_much = client.post(url, {**form, "amount": "-1 000 000", "form_key": "g" * 32})
    assert too_much.status_code == 400
    assert account_balance_get(company=a) == 1_500_00


def test_an_adjustment_without_a_reason_is_refused(client, companies):
    a, _b = companies
    client.force_login(specialist())
    response = client.post(
        f"/billing/operator/company/{a.pk}/adjust/", {"amount": "5", "reason": "", "form_key": "k"}
    )
    assert response.status_code == 400
    assert account_balance_get(company=a) == 1_510_00


def test_simulate_payment_exists_only_in_demo_mode(client, companies, settings):
    a, _b = companies
    client.force_login(holder(company=a))
    url = f"/billing/company/{a.pk}/simulate/"
    settings.DEMO = False
    assert "simulate" not in client.get(f"/billing/company/{a.pk}/").content.decode()
    assert client.post(url, {"amount": "100", "form_key": "k1"}).status_code == 404
    assert account_balance_get(company=a) == 1_510_00
    settings.DEMO = True
    assert url in client.get(f"/billing/company/{a.pk}/").content.decode()
    assert client.post(url, {"amount": "100", "form_key": "k1"}).status_code == 302
    assert client.post(url, {"amount": "100", "form_key": "k1"}).status_code == 302
    assert account_balance_get(company=a) == 1_610_00
    assert LedgerEntry.objects.filter(method="demo").count() == 1


def test_the_company_page_shows_current_tariffs_per_locale(client, companies):
    import datetime as dt

    from uzart.billing.services import tariff_create

    tariff_create(service="remote_renewal", role=None, price=1_510_00, effective_from=dt.date(2020, 1, 1))
    a, _b = companies
    client.force_login(holder(company=a))
    client.cookies["uzart_language"] = "ru"
    html = client.get(f"/billing/company/{a.pk}/").content.decode()
    assert "1 510,00 сом" in html
