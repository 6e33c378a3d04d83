"""The statement: Bishkek date filters, totals, and a CSV that keeps Cyrillic intact in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine

from tests.factories import CompanyFactory, holder
from uzart.accounts.models import Membership
from uzart.billing.exports import BOM
from uzart.billing.selectors import account_balance_get, statement_get
from uzart.billing.services import ledger_debit, ledger_refund, ledger_topup

pytestmark = pytest.mark.django_db
BISHKEK = dt.timezone(dt.timedelta(hours=6))


def _at(day: int, hour: int):
    return time_machine.travel(dt.datetime(2026, 11, day, hour, 30, tzinfo=BISHKEK), tick=False)


@pytest.fixture
def company():
    company = CompanyFactory()
    with _at(1, 10):
        ledger_topup(
            company=company,
            amount=5_000_00,
            idempotency_key="t1",
            method="bank_transfer",
            document_number="ПП-17",
        )
    # 00:30 in Bishkek on the 10th is still the 9th in UTC: it belongs to the 10th.
    with _at(10, 0):
        debit = ledger_debit(
            company=company, amount=1_510_00, idempotency_key="d1", memo="Продление ЭЦП: Асанова А. Б."
        )
    with _at(20, 23):
        ledger_refund(debit=debit, idempotency_key="r1", amount=500_00)
    with _at(25, 12):
        ledger_debit(company=company, amount=1_800_00, idempotency_key="d2", memo='=HYPERLINK("x")')
    return company


def test_statement_dates_are_bishkek_days_and_totals_add_up(company):
    statement = statement_get(company=company, date_from=dt.date(2026, 11, 10), date_to=dt.date(2026, 11, 20))
    assert [e.idempotency_key for e in statement.entries] == ["d1", "r1"]
    assert statement.opening_balance == 5_000_00
    assert statement.credits == 500_00
    assert statement.debits == -1_510_00
    assert statement.closing_balance == 5_000_00 - 1_510_00 + 500_00
    only_ninth = statement_get(company=company, date_from=dt.date(2026, 11, 9), date_to=dt.date(2026, 11, 9))
    assert only_ninth.entries == []


def _csv_rows(response, delimiter):
    raw = response.content
    assert raw.startswith(BOM.encode("utf-8"))  # Excel reads UTF-8 only with the byte-order mark
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_statement_csv_keeps_cyrillic_and_its_amounts_sum_to_the_balance(client, company):
    accountant = holder(company=company, role=Membership.Role.ACCOUNTANT)
    client.force_login(accountant)
    client.cookies["uzart_language"] = "ru"
    response = client.get(f"/billing/company/{company.pk}/statement.csv", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"statement-{company.inn}.csv" in response["Content-Disposition"]
    rows = _csv_rows(response, ";")
    header, body = rows[0], rows[1:]
    assert header[0] == "Дата и время (Бишкек)"
    assert len(body) == 4
    memos = [row[6] for row in body]
    assert "Продление ЭЦП: Асанова А. Б." in memos
    assert '\'=HYPERLINK("x")' in memos  # a formula is neutralised, not run
    assert body[0][5] == "ПП-17"
    total = sum(Decimal(row[3].replace(",", ".")) for row in body)
    assert int(total * 100) == account_balance_get(company=company) == 5_000_00 - 1_510_00 + 500_00 - 1_800_00
    assert body[-1][4] == "2190,00"


def test_statement_csv_in_english_uses_commas_and_decimal_points(client, company):
    client.force_login(holder(company=company))
    client.cookies["uzart_language"] = "en"
    rows = _csv_rows(client.get(f"/billing/company/{company.pk}/statement.csv"), ",")
    assert rows[0][0] == "Date and time (Bishkek)"
    assert rows[1][3] == "5000.00"


def test_statement_csv_honours_the_date_filter(client, company):
    client.force_login(holder(company=company))
    response = client.get(
        f"/billing/company/{company.pk}/statement.csv?date_from=2026-11-10&date_to=2026-11-20"
    )
    assert "from-2026-11-10-to-2026-11-20" in response["Content-Disposition"]
    assert len(_csv_rows(response, ",")) == 1 + 2


def test_statement_csv_refuses_a_reversed_period(client, company):
    client.force_login(holder(company=company))
    response = client.get(
        f"/billing/company/{company.pk}/statement.csv?date_from=2026-11-20&date_to=2026-11-10"
    )
    assert response.status_code == 400
