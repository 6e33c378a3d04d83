"""Reads of the API layer: tokens, rate counters, and the CSC credentials a holder may use."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import QuerySet

from uzart import clock
from uzart.accounts.models import User
from uzart.api.conf import rate_limit
from uzart.api.models import ApiToken, RateCounter
from uzart.errors import NotFound
from uzart.pki.models import Certificate
from uzart.pki.selectors import certificate_list_for_owner


def api_token_find(*, raw: str) -> ApiToken | None:
    """The usable token with this value (not revoked, not expired), with its user; None otherwise."""
    digest = hashlib.sha256(raw.encode()).hexdigest()
    token = ApiToken.objects.filter(digest=digest).select_related("user").first()
    if token is None or not token.is_usable(at=clock.now()) or not token.user.is_active:
        return None
    return token


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked ones too, so the page shows what happened)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for_user(*, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; NotFound for anyone else's."""
    token = ApiToken.objects.filter(pk=token_id, user=user).select_related("user").first()
    if token is None:
        raise NotFound()
    return token


def rate_counter_key(*, bucket: str, ident: str, index: int) -> str:
    """The counter row of one bucket, client and window; the client is kept only as a hash."""
    return f"{bucket}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}:{index}"


def rate_limit_exceeded(*, bucket: str, ident: str, at: dt.datetime | None = None) -> int:
    """Seconds until the window ends when the bucket's limit is already used up, else 0."""
    limit, seconds = rate_limit(bucket)
    now = at or clock.now()
    index = int(now.timestamp()) // seconds
    count = (
        RateCounter.objects.filter(key=rate_counter_key(bucket=bucket, ident=ident, index=index))
        .values_list("count", flat=True)
        .first()
    )
    if count is None or count < limit:
        return 0
    ends = dt.datetime.fromtimestamp((index + 1) * seconds, tz=dt.UTC)
    return max(1, int((ends - now).total_seconds()))


def csc_credential_list(*, user: User) -> QuerySet[Certificate]:
    """The holder's cloud certificates not expired or revoked: the credentials CSC clients may use."""
    return (
        certificate_list_for_owner(user=user)
        .filter(storage=Certificate.Storage.CLOUD, not_after__gt=clock.now(), revoked_at__isnull=True)
        .select_related("key")
    )


def csc_credential_get(*, user: User, credential_id: str) -> Certificate:
    """One of the holder's own cloud certificates by serial; NotFound for any other."""
    certificate = (
        Certificate.objects.filter(owner=user, serial=credential_id, storage=Certificate.Storage.CLOUD)
        .select_related("key", "company", "issuer")
        .first()
    )
    if certificate is None:
        raise NotFound()
    return certificate
