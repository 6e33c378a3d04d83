"""Errors a holder or operator can cause with cloud keys; each carries a translated message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from uzart.errors import UzartError

MAX_PIN_ATTEMPTS = 5


class WrongPin(UzartError):
    """The PIN did not open the key; ``attempts_left`` more tries before it locks."""

    code = "wrong_pin"
    default_message = ngettext_lazy(
        "Wrong PIN. %(left)d attempt left.", "Wrong PIN. %(left)d attempts left.", "left"
    )

    def __init__(self, *, attempts_left: int) -> None:
        self.attempts_left = attempts_left
        super().__init__(None, left=attempts_left)

    def __str__(self) -> str:
        return str(self.message % self.params)


class KeyLocked(UzartError):
    """The key is locked after too many wrong PINs until an operator unlocks it."""

    code = "key_locked"
    status_code = 423
    default_message = _("Your EDS key is locked after 5 wrong PINs. Contact the operator to unlock it.")


class InvalidPin(UzartError):
    """A new PIN does not follow the rules (6 to 12 digits)."""

    code = "invalid_pin"
    default_message = _("The PIN must consist of 6 to 12 digits, and nothing else.")


class KeystoreUnavailable(UzartError):
    """The keystore cannot be used (missing configuration, unreachable HSM)."""

    code = "keystore_unavailable"
    status_code = 503
    default_message = _("The cloud keystore is not available at the moment. Please try again later.")


__all__ = ["MAX_PIN_ATTEMPTS", "InvalidPin", "KeyLocked", "KeystoreUnavailable", "WrongPin"]
