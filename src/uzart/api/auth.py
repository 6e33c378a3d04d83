"""Who is calling: a personal API token (Bearer) or the web session (with CSRF on unsafe methods)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from uzart.accounts.models import User
from uzart.api.errors import CsrfFailed, ScopeMissing, TooManyAttempts, Unauthenticated
from uzart.api.selectors import api_token_find, rate_limit_exceeded
from uzart.api.services import api_token_mark_used, rate_counter_hit
from uzart.errors import PermissionDenied
from uzart.pki.selectors import certificate_active_for
from uzart.signing.eds_login import EdsLoginRefused, expired_message, user_needs_eds

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_TOKEN_LENGTH = 128


def client_address(request: HttpRequest) -> str:
    """The address failures are counted against (the reverse proxy must pass the client's as REMOTE_ADDR)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def bearer_value(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer`` header; "" for a malformed header, None for no header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return ""
    return value


def token_user(request: HttpRequest, *, raw: str, scope: str, refuse_expired: bool = True) -> User:
    """The user of a valid token holding ``scope``; failures are counted per client address and limited.

    A holder with no EDS in force is refused like at the web login; the CSC API passes
    ``refuse_expired=False`` because it answers for the credential itself with the CSC error codes.
    """
    address = client_address(request)
    wait = rate_limit_exceeded(bucket="token_failure", ident=address)
    if wait:
        raise TooManyAttempts(retry_after=wait)
    token = api_token_find(raw=raw) if 0 < len(raw) <= MAX_TOKEN_LENGTH else None
    if token is None:
        rate_counter_hit(bucket="token_failure", ident=address)
        raise Unauthenticated()
    if scope not in token.scopes:
        raise ScopeMissing(scope=scope)
    if refuse_expired:
        refuse_expired_holder(token.user)
    api_token_mark_used(token=token)
    request.api_token = token  # type: ignore[attr-defined]
    return token.user


def refuse_expired_holder(user: User) -> None:
    """A holder whose every EDS has expired is refused here as at the web login, with the same reason."""
    if user_needs_eds(user=user) and certificate_active_for(user=user) is None:
        raise EdsLoginRefused(expired_message(user=user))


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; a token lacking the operation's scope is refused."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        raw = bearer_value(request)
        if raw is None:
            return None  # no token: the session may still authenticate the call
        return token_user(request, raw=raw, scope=self.scope)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_user(request, raw=token, scope=self.scope)


class SessionCookie(APIKeyCookie):
    """The logged-in web session; unsafe methods must carry Django's CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF is checked in authenticate(), and only for a logged-in session: an anonymous call gets
        # 401, not a CSRF error. ``csrf`` stays True so the docs page sends the CSRF header.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return user


def scoped(scope: str) -> list[Any]:
    """The authentication of an operation needing ``scope``: a token with it, or the web session."""
    return [BearerToken(scope), SessionCookie()]


def caller(request: HttpRequest) -> User:
    """The authenticated user of an operation."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise Unauthenticated()
    return user


def customer(request: HttpRequest) -> User:
    """The caller, who must be a company member (holder or accountant), as on the holder pages."""
    user = caller(request)
    if user.is_operator:
        raise PermissionDenied()
    return user


def operator(request: HttpRequest) -> User:
    """The caller, who must be operator staff (specialist or administrator)."""
    user = caller(request)
    if not user.is_operator:
        raise PermissionDenied()
    return user
