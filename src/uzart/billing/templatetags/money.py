"""``{% load money %}{{ amount|som }}``: tyiyn shown as som in the active language."""

from __future__ import annotations

from django import template

from uzart.billing.money import money_format

register = template.Library()


@register.filter
def som(amount: int | None) -> str:
    """1510_00 tyiyn -> "1 510,00 сом" (ru, ky) or "1,510.00 som" (en); empty for None."""
    if amount is None or amount == "":
        return ""
    return money_format(int(amount))
