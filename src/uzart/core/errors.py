"""Errors a user can cause: each carries a translated message and maps to a 4xx."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class UzartError(Exception):
    """Base of every error a user can cause; ``message`` is shown to them."""

    default_message: Any = _("The request could not be completed.")
    status_code = 400
    code = "error"

    def __init__(self, message: Any = None, **params: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFound(UzartError):
    default_message = _("Not found.")
    status_code = 404
    code = "not_found"


class PermissionDenied(UzartError):
    default_message = _("You do not have access to this.")
    status_code = 403
    code = "forbidden"


class ValidationFailed(UzartError):
    default_message = _("Please correct the errors below.")
    code = "invalid"
