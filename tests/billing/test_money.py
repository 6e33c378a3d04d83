"""Amounts are shown per language with one function and one template filter, and read back from input."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from uzart.billing.money import money_format, money_parse, money_plain


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("ru", 1_510_00, "1 510,00 сом"),
        ("ky", 1_510_00, "1 510,00 сом"),
        ("en", 1_510_00, "1,510.00 som"),
        ("ru", 5, "0,05 сом"),
        ("en", 1_234_567_89, "1,234,567.89 som"),
        ("ru", -500_00, "-500,00 сом"),
        ("ru", 0, "0,00 сом"),
    ],
)
def test_money_format_follows_the_language(language, amount, expected):
    assert money_format(amount, language=language) == expected


def test_money_format_uses_the_active_language_when_none_is_given():
    with translation.override("ky"):
        assert money_format(10_000_00) == "10 000,00 сом"
    with translation.override("en"):
        assert money_format(10_000_00) == "10,000.00 som"


def test_som_filter_renders_tyiyn_in_the_active_language():
    template = Template("{% load money %}{{ amount|som }}")
    with translation.override("ru"):
        assert template.render(Context({"amount": 1_510_00})) == "1 510,00 сом"
    with translation.override("en"):
        assert template.render(Context({"amount": 1_510_00})) == "1,510.00 som"


def test_money_plain_is_a_spreadsheet_number_without_grouping():
    assert money_plain(1_510_00, language="ru") == "1510,00"
    assert money_plain(-1_510_05, language="en") == "-1510.05"


@pytest.mark.parametrize(
    ("text", "tyiyn"),
    [
        ("1510", 1_510_00),
        ("1 510,50", 1_510_50),
        ("1\u00a0510,5", 1_510_50),
        ("1510.05", 1_510_05),
        ("1,510.00", 1_510_00),
        ("-20", -20_00),
        ("1 510,00 сом", 1_510_00),
    ],
)
def test_money_parse_reads_amounts_people_type(text, tyiyn):
    assert money_parse(text) == tyiyn


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1,2,3", "10e5", "1" * 20])
def test_money_parse_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        money_parse(text)
