"""Errors an API client can cause; each carries a translated message and maps to a 4xx."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from uzart.errors import UzartError


class Unauthenticated(UzartError):
    status_code = 401
    code = "unauthenticated"
    default_message = _(
        "Authentication is required: send a valid API token in the header “Authorization: Bearer …”, "
        "or log in to Uzart."
    )


class ScopeMissing(UzartError):
    status_code = 403
    code = "scope_missing"
    default_message = _("This API token may not do this: it lacks the “%(scope)s” scope.")


class CsrfFailed(UzartError):
    status_code = 403
    code = "csrf_failed"
    default_message = _(
        "The request was refused because its CSRF token is missing or wrong. Reload the page and try again, "
        "or use an API token."
    )


class InvalidInput(UzartError):
    status_code = 422
    code = "invalid_input"
    default_message = _("The request is not valid; see “errors” for the fields to correct.")


class MalformedRequest(UzartError):
    status_code = 400
    code = "malformed_request"
    default_message = _("The request could not be read.")


class TooManyAttempts(UzartError):
    """Too many attempts from one client or for one user; ``retry_after`` seconds until the next window."""

    status_code = 429
    code = "too_many_attempts"
    default_message = ngettext_lazy(
        "Too many attempts. Please wait %(seconds)d second and try again.",
        "Too many attempts. Please wait %(seconds)d seconds and try again.",
        "seconds",
    )

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(None, seconds=retry_after)

    def __str__(self) -> str:
        return str(self.message % self.params)


class CredentialExpired(UzartError):
    code = "credential_expired"
    default_message = _("Signing certificate “%(subject)s” is expired.")


class CredentialNotYetValid(UzartError):
    code = "credential_not_yet_valid"
    default_message = _("Signing certificate “%(subject)s” is not valid yet.")


class CredentialRevoked(UzartError):
    code = "credential_revoked"
    default_message = _("Signing certificate “%(subject)s” is revoked.")


class SadInvalid(UzartError):
    code = "sad_invalid"
    default_message = _(
        "Invalid parameter SAD: it is unknown, already used, or was not authorised for these hashes."
    )


class SadExpired(UzartError):
    code = "sad_expired"
    default_message = _("The SAD has expired; authorise the signature again.")


def problem_extensions(error: UzartError) -> dict[str, Any]:
    """Machine-readable details some errors add to their problem document."""
    extensions: dict[str, Any] = {}
    for name in ("attempts_left", "shortfall", "balance", "retry_after"):
        value = getattr(error, name, None)
        if isinstance(value, int):
            extensions[name] = value
    return extensions
