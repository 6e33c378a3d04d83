"""RFC 9457 problem details: every error of the REST API is one of these, with a translated detail."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from uzart.api.errors import TooManyAttempts, problem_extensions
from uzart.errors import UzartError

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:uzart:problem:"

TITLES: dict[int, Any] = {
    400: _("Bad request"),
    401: _("Authentication required"),
    402: _("Payment required"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict"),
    422: _("Invalid input"),
    423: _("Locked"),
    429: _("Too many requests"),
    503: _("Service unavailable"),
}


def problem_response(
    *, status: int, code: str, detail: str, extensions: dict[str, Any] | None = None
) -> HttpResponse:
    """A problem document: ``type`` names the problem, ``title`` its kind, ``detail`` this occurrence."""
    body = {
        "type": f"{TYPE_PREFIX}{code}",
        "title": str(TITLES.get(status, _("Error"))),
        "status": status,
        "detail": detail,
        "code": code,
        **(extensions or {}),
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=f"{CONTENT_TYPE}; charset=utf-8"
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="uzart"'
    return response


def problem_from_error(error: UzartError, *, extensions: dict[str, Any] | None = None) -> HttpResponse:
    """The problem document of an error a user can cause: its status, code and translated message."""
    response = problem_response(
        status=error.status_code,
        code=error.code,
        detail=str(error),
        extensions={**problem_extensions(error), **(extensions or {})},
    )
    if isinstance(error, TooManyAttempts):
        response["Retry-After"] = str(error.retry_after)
    return response
