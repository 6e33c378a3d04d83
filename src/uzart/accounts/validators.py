"""Validation of company identifiers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INN_LENGTH = 14


def validate_inn(value: str) -> None:
    """Raise ValidationError with a message naming what is wrong with a Kyrgyz INN (TIN)."""
    if value is None or value == "":
        raise ValidationError(_("Enter the company INN: 14 digits."), code="inn_empty")
    if value != value.strip() or any(ch.isspace() for ch in value):
        raise ValidationError(
            _("The INN must not contain spaces. Enter 14 digits without spaces."), code="inn_spaces"
        )
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("The INN may contain only digits 0-9, without letters or other signs."), code="inn_not_digits"
        )
    if len(value) != INN_LENGTH:
        raise ValidationError(
            _("The INN must have exactly 14 digits; you entered %(count)d."),
            code="inn_length",
            params={"count": len(value)},
        )
