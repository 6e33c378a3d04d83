"""View decorators that say who may see a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from uzart.errors import PermissionDenied

View = Callable[..., HttpResponse]


def _require(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


operator_required = _require(lambda user: user.is_operator)
operator_admin_required = _require(lambda user: user.is_operator_admin)
customer_required = _require(lambda user: not user.is_operator)
