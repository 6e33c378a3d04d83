"""INN validation: exactly 14 digits, each mistake with its own message, in ky and ru."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import CompanyFactory, specialist
from uzart.accounts.models import Company

CASES = [
    # (input, expected message in ru, expected message in ky)
    ("0777777777777", "ИНН должен состоять ровно из 14 цифр; вы ввели 13.", "ИСН так 14 сандан турушу керек; сиз 13 сан киргиздиңиз."),
    ("077777777777777", "ИНН должен состоять ровно из 14 цифр; вы ввели 15.", "ИСН так 14 сандан турушу керек; сиз 15 сан киргиздиңиз."),
    ("0777777777777A", "ИНН может содержать только цифры 0–9, без букв и других знаков.", "ИСН 0–9 сандарынан гана турушу керек, тамгасыз жана башка белгисиз."),
    ("0777 777777777", "ИНН не должен содержать пробелов. Введите 14 цифр без пробелов.", "ИСНде боштук болбошу керек. 14 санды боштуксуз киргизиңиз."),
]  # fmt: skip


def _post_company(client, inn, language):
    client.cookies["uzart_language"] = language
    return client.post(
        "/operator/companies/new/", {"inn": inn, "legal_name": "ОсОО «Тест»", "legal_form": "llc"}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("inn", "ru", "ky"), CASES, ids=["13-digits", "15-digits", "letter", "space-inside"])
def test_bad_inn_is_refused_with_its_own_message_in_russian_and_kyrgyz(client, inn, ru, ky):
    client.force_login(specialist())
    for language, expected in (("ru", ru), ("ky", ky)):
        response = _post_company(client, inn, language)
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_duplicate_inn_is_refused_in_russian_and_kyrgyz_and_nothing_changes(client):
    existing = CompanyFactory(inn="07777777777777", legal_name="ОсОО «Первая»")
    client.force_login(specialist())
    messages = {
        "ru": "Компания с таким ИНН уже зарегистрирована.",
        "ky": "Мындай ИСН менен компания мурунтан катталган.",
    }
    for language, expected in messages.items():
        response = _post_company(client, "07777777777777", language)
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert list(Company.objects.values_list("pk", "legal_name")) == [(existing.pk, "ОсОО «Первая»")]


@pytest.mark.django_db
def test_valid_inn_registers_the_company(client):
    client.force_login(specialist())
    response = _post_company(client, "07777777777777", "ru")
    assert response.status_code == 302
    assert Company.objects.get().inn == "07777777777777"


@pytest.mark.django_db
def test_the_database_refuses_an_inn_that_is_not_14_digits():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(inn="123", legal_name="X", legal_form="llc")


def test_inn_messages_exist_in_english_too():
    from django.core.exceptions import ValidationError

    from uzart.accounts.validators import validate_inn

    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_inn("123")
    assert info.value.messages == ["The INN must have exactly 14 digits; you entered 3."]
