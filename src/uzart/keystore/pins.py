"""The rules a holder's PIN must follow."""

from __future__ import annotations

import re

from uzart.keystore.errors import InvalidPin

PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
_PIN_RE = re.compile(rf"[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}")


def pin_validate(pin: object) -> str:
    """Return the PIN when it is 6 to 12 ASCII digits; raise InvalidPin otherwise."""
    if not isinstance(pin, str) or _PIN_RE.fullmatch(pin) is None:
        raise InvalidPin()
    return pin
