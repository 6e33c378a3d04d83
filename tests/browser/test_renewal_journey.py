"""The renewal journey in real Chromium: banner, renew, sign, approve, takeover at the old expiry."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import TEST_PASSWORD, CompanyFactory, holder
from tests.renewals.conftest import PIN, REMOTE_PRICE, enrol_for, fund
from uzart.billing.selectors import account_balance_get
from uzart.pki.selectors import certificate_active_for
from uzart.renewals.models import RenewalRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BALANCE = 1_000_000


def _login(page, base: str, email: str, pin: str | None) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    if pin is not None:
        page.wait_for_url(f"{base}/login/eds/")
        page.fill("#id_pin", pin)
        page.click("button[type=submit]")
    page.wait_for_url(f"{base}/me/" if pin is not None else f"{base}/**")


def _english(context, base: str) -> None:
    context.add_cookies([{"name": "uzart_language", "value": "en", "url": base}])


def _prefers_english(*users) -> None:
    """After login each user's own language applies; these journeys read English."""
    for user in users:
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])


def test_holder_renews_remotely_specialist_approves_new_eds_takes_over(browser, live_server, world, shots):
    base = live_server.url
    _prefers_english(world.holder, world.specialist)
    holder_context = browser.new_context()
    _english(holder_context, base)
    page = holder_context.new_page()

    _login(page, base, world.holder.email, PIN)
    banner = page.get_by_test_id("renewal-banner")
    assert "Your EDS expires in 20 days" in banner.inner_text()
    shots(page, "holder-home-banner")

    page.get_by_test_id("renew-button").click()
    page.wait_for_url(f"{base}/renew/")
    assert page.get_by_test_id("tariff").inner_text() == "1,510.00 som"
    assert page.get_by_test_id("balance").inner_text() == "10,000.00 som"
    assert "Асанова Айгуль Бакытовна" in page.get_by_test_id("request-text").inner_text()
    shots(page, "renewal-request")

    page.check("#id_details_unchanged")
    page.fill("#id_pin", PIN)
    page.get_by_test_id("sign").click()
    page.wait_for_selector("[data-testid=confirmation]")
    request = RenewalRequest.objects.get()
    confirmation = page.get_by_test_id("confirmation").inner_text()
    assert request.number in confirmation and "place in the queue: 1" in confirmation
    assert account_balance_get(company=world.company) == BALANCE - REMOTE_PRICE
    shots(page, "confirmation")

    operator_context = browser.new_context()
    _english(operator_context, base)
    desk = operator_context.new_page()
    _login(desk, base, world.specialist.email, None)
    desk.goto(f"{base}/operator/renewals/")
    desk.click(f"text={request.number}")
    assert desk.get_by_test_id("validation-verdict").inner_text() == "The signature is valid"
    shots(desk, "operator-request")
    desk.get_by_test_id("claim").click()
    desk.get_by_test_id("approve").click()
    desk.wait_for_selector("text=The new certificate has been issued.")
    shots(desk, "operator-approved")
    request.refresh_from_db()
    assert request.status == "issued"
    new_serial = request.issued_certificate.serial

    holder_context.close()
    with time_machine.travel(world.certificate.not_after + dt.timedelta(minutes=1), tick=False):
        later = browser.new_context()
        _english(later, base)
        page = later.new_page()
        _login(page, base, world.holder.email, PIN)
        active = page.get_by_test_id("active-certificate")
        assert active.get_attribute("data-serial") == new_serial
        assert certificate_active_for(user=world.holder).serial == new_serial
        shots(page, "new-eds-active")
        later.close()
    operator_context.close()


def test_too_little_balance_shows_the_shortfall_and_sends_nothing(browser, live_server, world, shots):
    poor = CompanyFactory(legal_name="ОАО «Ысык-Көл Сервис»")
    user = holder(company=poor, email="nurlan@test.example", preferred_language="en")
    enrol_for(user, poor, days_left=20)
    fund(poor, 50_000)
    base = live_server.url
    context = browser.new_context()
    _english(context, base)
    page = context.new_page()
    _login(page, base, user.email, PIN)
    page.get_by_test_id("renew-button").click()
    shortfall = page.get_by_test_id("shortfall").inner_text()
    assert "1,010.00 som is missing" in shortfall
    assert page.get_by_test_id("sign").count() == 0
    shots(page, "shortfall")
    assert RenewalRequest.objects.count() == 0
    assert account_balance_get(company=poor) == 50_000
    context.close()
