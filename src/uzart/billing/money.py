"""Amounts in tyiyn (1/100 som): one function to show them per language, one to read them back."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils import translation

TYIYN_PER_SOM = 100
MAX_AMOUNT = 10**13  # 100 billion som: far above any real payment; bounds every input

# language -> (group separator, decimal separator, currency word)
_STYLES: dict[str, tuple[str, str, str]] = {
    "ru": (" ", ",", "сом"),
    "ky": (" ", ",", "сом"),
    "en": (",", ".", "som"),
}


def _style(language: str | None) -> tuple[str, str, str]:
    code = (language or translation.get_language() or "ru").split("-")[0].lower()
    return _STYLES.get(code, _STYLES["ru"])


def money_format(amount: int, *, language: str | None = None, currency: bool = True) -> str:
    """Show tyiyn as som per language: "1 510,00 сом" (ru, ky) or "1,510.00 som" (en)."""
    group, decimal, word = _style(language)
    sign = "-" if amount < 0 else ""
    som, tyiyn = divmod(abs(int(amount)), TYIYN_PER_SOM)
    digits = f"{som:,}".replace(",", group)
    text = f"{sign}{digits}{decimal}{tyiyn:02d}"
    return f"{text} {word}" if currency else text


def money_plain(amount: int, *, language: str | None = None) -> str:
    """Tyiyn as a bare number a spreadsheet reads: "1510,00" (ru, ky) or "1510.00" (en), no grouping."""
    _group, decimal, _word = _style(language)
    sign = "-" if amount < 0 else ""
    som, tyiyn = divmod(abs(int(amount)), TYIYN_PER_SOM)
    return f"{sign}{som}{decimal}{tyiyn:02d}"


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def money_parse(text: str) -> int:
    """Read an amount in som typed by a person ("1 510,50", "1510.5", "-20") into tyiyn.

    Raises ValueError when the text is not an amount with at most two decimals.
    """
    cleaned = _SPACES.sub("", text or "")
    for word in ("сом", "som"):
        cleaned = cleaned.removesuffix(word)
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    elif "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")  # 1,510.00
    if not re.fullmatch(r"[-+]?\d+(\.\d{1,2})?", cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned) * TYIYN_PER_SOM
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if abs(value) > MAX_AMOUNT:
        raise ValueError(text)
    return int(value)
