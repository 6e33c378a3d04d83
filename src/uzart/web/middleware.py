"""Maps errors a user can cause to a message and a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
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


class EdsSessionMiddleware:
    """Ends a holder's session as soon as none of their certificates is in force any more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from uzart.web.views import EDS_SERIAL

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(EDS_SERIAL):
            from django.contrib.auth import logout
            from django.shortcuts import redirect

            from uzart.pki.selectors import certificate_active_for
            from uzart.signing.eds_login import expired_message

            if certificate_active_for(user=user) is None:
                message = expired_message(user=user)
                logout(request)
                messages.error(request, message)
                return redirect("web:login")
        return self.get_response(request)


class NulCharacterGuard:
    """Refuses a request whose address or form fields carry a NUL character (PostgreSQL text cannot hold one).

    Django's form fields already refuse NUL; this covers path parameters, query strings and views that read
    a field directly, with one clear 400 instead of a database error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            from django.utils.translation import gettext as _

            return HttpResponseBadRequest(
                _("The request contains a character that is not allowed (NUL)."), content_type="text/plain"
            )
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        values = [value for values in request.GET.lists() for value in values[1]]
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            request.body  # noqa: B018 - cache the raw body first, so views may still read it after POST
            values += [value for values in request.POST.lists() for value in values[1]]
        return any("\x00" in value for value in values)
