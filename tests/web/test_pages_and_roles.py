"""Every page × every role: who may see it, who is sent to log in, who is refused."""

from __future__ import annotations

import pytest

from tests.factories import TEST_PASSWORD, holder, operator_admin, specialist
from uzart.accounts.models import Membership, User

ROLES = ["anonymous", "holder", "accountant", "specialist", "admin"]

# page -> expected status per role; 302 to login for anonymous everywhere but the public pages.
PAGES = {
    "/login/": {"anonymous": 200, "holder": 302, "accountant": 302, "specialist": 302, "admin": 302},
    "/healthz": {"anonymous": 200, "holder": 200, "accountant": 200, "specialist": 200, "admin": 200},
    "/me/": {"holder": 200, "accountant": 200, "specialist": 403, "admin": 403},
    "/operator/": {"holder": 403, "accountant": 403, "specialist": 200, "admin": 200},
    "/operator/companies/new/": {"holder": 403, "accountant": 403, "specialist": 200, "admin": 200},
    "/admin/": {"holder": 302, "accountant": 302, "specialist": 302, "admin": 200},
    "/admin/accounts/company/": {"holder": 302, "accountant": 302, "specialist": 302, "admin": 200},
    "/admin/audit/auditevent/": {"holder": 302, "accountant": 302, "specialist": 302, "admin": 200},
}


def _user_for(role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "holder":
        return holder()
    if role == "accountant":
        return holder(role=Membership.Role.ACCOUNTANT)
    if role == "specialist":
        return specialist()
    return operator_admin()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_answers_each_role_as_expected(client, page, role):
    user = _user_for(role)
    if user is not None:
        client.force_login(user)
    expected = PAGES[page].get(role, 302 if role == "anonymous" else 200)
    response = client.get(page)
    assert response.status_code == expected, (page, role, response.status_code)
    if role == "anonymous" and expected == 302:
        assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_password_login_sends_each_role_to_its_home_and_remembers_its_language(client):
    user = holder(email="h@test.example", preferred_language="ky", role=Membership.Role.ACCOUNTANT)
    response = client.post("/login/", {"username": "h@test.example", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.cookies["uzart_language"].value == "ky"
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/me/"
    assert "Саламатсызбы" in home.content.decode()
    assert user.full_name in home.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client):
    holder(email="h@test.example")
    client.cookies["uzart_language"] = "en"
    response = client.post("/login/", {"username": "h@test.example", "password": "nope"})
    assert response.status_code == 200
    assert "The e-mail or password is wrong" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_language_switch_is_remembered_in_a_cookie_and_on_the_profile(client):
    user = holder(preferred_language="ru")
    client.force_login(user)
    response = client.post("/language/", {"language": "en", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert response.cookies["uzart_language"].value == "en"
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert "My companies" in client.get("/me/").content.decode()


@pytest.mark.django_db
def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert "uzart_language" not in response.cookies


@pytest.mark.django_db
def test_operator_search_returns_a_fragment_for_htmx(client):
    from tests.factories import CompanyFactory

    CompanyFactory(legal_name="ОсОО «Ала-Тоо»", inn="01234567890123")
    CompanyFactory(legal_name="ОсОО «Нарын»")
    client.force_login(specialist())
    response = client.get("/operator/?q=0123", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Ала-Тоо" in body and "Нарын" not in body
