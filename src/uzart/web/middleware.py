"""Maps errors a user can cause to a message and a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from uzart.errors import UzartError


class UzartErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UzartError):
            return None
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(
                {"detail": str(exception), "code": exception.code}, status=exception.status_code
            )
        if getattr(request, "htmx", False):
            return render(request, "web/_error.html", {"error": str(exception)}, status=exception.status_code)
        messages.error(request, str(exception))
        return render(request, "web/error.html", {"error": str(exception)}, status=exception.status_code)
