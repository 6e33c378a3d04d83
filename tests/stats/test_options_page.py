"""The Options page: the service described in the reader's language, reminders, and the statistics."""

from __future__ import annotations

import re

import pytest
import time_machine

from tests.factories import holder, operator_admin, specialist
from tests.stats.conftest import utc
from uzart.accounts.models import Membership, OperatorProfile
from uzart.renewals.models import Channel, Status

APRIL_15 = utc(2026, 4, 15, 6, 0)

# A phrase of the service description and of the chart, per language.
DESCRIBED = {
    "en": ("The service is free", "3 working days before your EDS expires", "Renewed EDSs per month"),
    "ru": ("Услуга бесплатна", "за 3 рабочих дня до окончания", "Продлённые ЭЦП по месяцам"),
    "ky": ("Кызмат акысыз", "кеминде 3 жумуш күнү калганда", "Айлар боюнча жаңыртылган ЭКТлар"),
}


@pytest.fixture
def operator_profile(db):
    return OperatorProfile.objects.create(
        name="ОсОО «Ала-Тоо Отчет»",
        support_email="office@alatoo.example",
        phones="+996 312 960 360, +996 706 960 360, +996 776 960 360, +996 558 960 360",
        office_address="Бишкек ш., Коёнкөзов көч. 8",
        working_hours="09:00–18:00",
        website="https://alatoo.example/",
    )


@pytest.fixture
def history(renewal):
    """A March with remote, documents and office renewals decided by a named specialist, and a rejection."""
    boss = specialist(surname="Жумабаева", given_name="Айпери", patronymic="")
    sent = utc(2026, 3, 2, 4, 0)
    renewal(channel=Channel.REMOTE, submitted_at=sent, decided_at=utc(2026, 3, 3, 4, 0), decided_by=boss)
    renewal(channel=Channel.DOCUMENTS, submitted_at=sent, decided_at=utc(2026, 3, 5, 4, 0), decided_by=boss)
    renewal(channel=Channel.OFFICE, submitted_at=sent, decided_at=sent, decided_by=boss)
    renewal(status=Status.REJECTED, submitted_at=sent, decided_at=utc(2026, 3, 4), decided_by=boss)
    return boss


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/options/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/") and "next=/options/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ky", "ru", "en"])
@time_machine.travel(APRIL_15, tick=False)
def test_holder_page_describes_the_service_and_shows_the_chart_in_the_reader_language(
    client, history, operator_profile, language
):
    client.force_login(holder())
    client.cookies["uzart_language"] = language

    response = client.get("/options/")

    assert response.status_code == 200
    html = response.content.decode()
    free, deadline, chart_title = DESCRIBED[language]
    about = section(html, "about-heading")
    assert free in about and deadline in about
    assert "office@alatoo.example" in about and "+996 558 960 360" in about
    assert "Коёнкөзов көч. 8" in about and "https://alatoo.example/" in about
    stats = section(html, "stats-heading")
    assert "<svg" in stats and 'role="img"' in stats
    assert f'<title id="renewals-chart-title">{chart_title}</title>' in stats
    assert re.search(r"<td>2</td><td>1</td><td>3</td>", stats), "March: 2 remote, 1 office, 3 in all"
    assert "100%" in stats  # both remote requests were sent long before their last day


@pytest.mark.django_db
@time_machine.travel(APRIL_15, tick=False)
def test_russian_chart_carries_cyrillic_text(client, history):
    client.force_login(holder())
    client.cookies["uzart_language"] = "ru"
    html = client.get("/options/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Удалённо" in texts and "В офисе" in texts and "Месяц" in texts
    assert "Медианное время обработки удалённой заявки" in html
    assert "<dd>2 дня</dd>" in html  # the mean of 1 day and 3 days, the two remote renewals


@pytest.mark.django_db
@time_machine.travel(APRIL_15, tick=False)
def test_holders_see_reminder_settings_loaded_in_place_with_a_plain_link_fallback(client):
    client.force_login(holder())
    html = client.get("/options/").content.decode()
    reminders = section(html, "reminders-heading")
    assert 'hx-get="/options/reminders/"' in reminders and 'hx-trigger="load"' in reminders
    assert 'href="/options/reminders/"' in reminders


@pytest.mark.django_db
@time_machine.travel(APRIL_15, tick=False)
def test_accountants_may_read_the_page_too(client, history):
    client.force_login(holder(role=Membership.Role.ACCOUNTANT))
    assert client.get("/options/").status_code == 200


@pytest.mark.django_db
@time_machine.travel(APRIL_15, tick=False)
def test_holders_see_no_specialist_company_or_person_names(client, history, certificate):
    client.force_login(holder())
    html = client.get("/options/").content.decode()
    stats = section(html, "stats-heading")
    assert "Жумабаева" not in html
    assert certificate.company.legal_name not in html and certificate.owner.surname not in html
    assert 'name="first_month"' not in stats  # the period is the operator's choice


@pytest.mark.django_db
@time_machine.travel(APRIL_15, tick=False)
def test_operators_see_decisions_per_specialist_and_no_reminder_settings(client, history):
    client.force_login(operator_admin())
    client.cookies["uzart_language"] = "en"
    html = client.get("/options/").content.decode()
    stats = section(html, "stats-heading")
    assert '<th scope="row">Жумабаева Айпери</th><td>3</td><td>1</td>' in stats
    assert 'id="reminders-heading"' not in html


@pytest.mark.django_db
@time_machine.travel(APRIL_15, tick=False)
def test_operators_choose_the_period_by_months(client, history, renewal):
    renewal(channel=Channel.OFFICE, submitted_at=utc(2026, 1, 5), decided_at=utc(2026, 1, 5))
    client.force_login(specialist())
    client.cookies["uzart_language"] = "en"

    html = client.get("/options/", {"first_month": "2026-01", "last_month": "2026-02"}).content.decode()

    stats = section(html, "stats-heading")
    assert "Period: January 2026 – February 2026." in stats
    assert '<th scope="row">January 2026</th><td>0</td><td>1</td><td>1</td>' in stats
    assert "March 2026" not in stats
    assert "Жумабаева" not in stats  # her decisions were in March


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"first_month": "2026-04", "last_month": "2026-01"}, "must not be after the last one"),
        ({"first_month": "April"}, "Enter a month as YYYY-MM"),
    ],
)
def test_a_bad_period_is_explained_and_the_default_year_shown(client, query, message):
    client.force_login(specialist())
    client.cookies["uzart_language"] = "en"
    response = client.get("/options/", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "<svg" in html
