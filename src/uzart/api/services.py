"""Writes of the API layer itself: tokens, rate counters, and the CSC signature activation flow.

The domain work (renewals, billing, signing keys) is done by the domain apps' services; the functions
here only keep the API's own records and call those services.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from uzart import clock
from uzart.accounts.models import User
from uzart.api import sad as sad_crypto
from uzart.api.conf import rate_limit, sad_lifetime
from uzart.api.errors import (
    CredentialExpired,
    CredentialNotYetValid,
    CredentialRevoked,
    SadExpired,
    SadInvalid,
    TooManyAttempts,
)
from uzart.api.models import ApiToken, RateCounter, Scope, SignatureActivation
from uzart.api.selectors import rate_counter_key
from uzart.audit.services import audit_record
from uzart.errors import NotFound, ValidationFailed
from uzart.keystore.errors import KeyLocked
from uzart.keystore.services import key_session, key_verify_pin
from uzart.pki.models import Certificate

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "uzt_"  # noqa: S105 - marks Uzart tokens in logs and secret scanners; not a secret
_TOUCH_EVERY = dt.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    """SHA-256 of a token, as stored (a 256-bit random token needs no slow hash)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
    actor: User | None = None,
) -> tuple[ApiToken, str]:
    """Make a personal API token; returns the row and the token itself, which is never kept or shown again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Give the token a name of up to 100 characters."))
    chosen = sorted(set(scopes))
    if not chosen or any(scope not in Scope.values for scope in chosen):
        raise ValidationFailed(_("Choose at least one of the scopes: read, write, sign."))
    if expires_at is not None and expires_at <= clock.now():
        raise ValidationFailed(_("The expiry must be in the future."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:12],
        digest=token_digest(raw),
        scopes=chosen,
        created_at=clock.now(),
        expires_at=expires_at,
    )
    audit_record(
        actor=actor or user,
        action="api.token_create",
        target=token,
        data={"owner": user.email, "name": name, "scopes": chosen, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token at once; its owner or an operator administrator may do it."""
    if token.user_id != actor.pk and not actor.is_operator_admin:
        raise NotFound()
    now = clock.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit_record(actor=actor, action="api.token_revoke", target=token, data={"owner": token.user.email})
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute (not audited: reads are not changes)."""
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _window(seconds: int, now: dt.datetime) -> tuple[int, dt.datetime]:
    index = int(now.timestamp()) // seconds
    return index, dt.datetime.fromtimestamp((index + 1) * seconds, tz=dt.UTC)


def rate_counter_hit(*, bucket: str, ident: str) -> tuple[int, int]:
    """Count one attempt in the current window; return (attempts so far, seconds until the window ends)."""
    _limit, seconds = rate_limit(bucket)
    now = clock.now()
    index, ends = _window(seconds, now)
    key = rate_counter_key(bucket=bucket, ident=ident, index=index)
    with transaction.atomic():
        counter, created = RateCounter.objects.get_or_create(key=key, defaults={"window_ends": ends})
        RateCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
        count = RateCounter.objects.values_list("count", flat=True).get(pk=counter.pk)
        if created:  # a new window began somewhere: drop the finished ones
            RateCounter.objects.filter(window_ends__lt=now).delete()
    return count, max(1, int((ends - now).total_seconds()))


def rate_limit_attempt(*, bucket: str, ident: str) -> None:
    """Count an attempt and refuse it with TooManyAttempts once the bucket's limit is passed."""
    limit, _seconds = rate_limit(bucket)
    count, retry_after = rate_counter_hit(bucket=bucket, ident=ident)
    if count > limit:
        logger.warning("rate limit %s passed (%d attempts in the window)", bucket, count)
        raise TooManyAttempts(retry_after=retry_after)


# --- Cloud Signature Consortium: authorize and signHash --------------------------------------------------


def credential_check(*, certificate: Certificate) -> None:
    """Refuse a credential whose certificate is not in force or whose key is locked."""
    now = clock.now()
    subject = certificate.x509.subject.rfc4514_string()
    if certificate.revoked_at is not None and certificate.revoked_at <= now:
        raise CredentialRevoked(subject=subject)
    if certificate.not_after <= now:
        raise CredentialExpired(subject=subject)
    if certificate.not_before > now:
        raise CredentialNotYetValid(subject=subject)
    if certificate.key is None:
        raise NotFound()
    if certificate.key.is_locked:
        raise KeyLocked()


def csc_authorize(*, user: User, certificate: Certificate, pin: str, hash_list: list[str]) -> tuple[str, int]:
    """Check the PIN (counted like every PIN try) and issue a single-use SAD bound to these hashes.

    Returns the SAD value for the client and its lifetime in seconds.
    """
    if certificate.owner_id != user.pk or certificate.storage != Certificate.Storage.CLOUD:
        raise NotFound()
    credential_check(certificate=certificate)
    rate_limit_attempt(bucket="pin", ident=f"user:{user.pk}")
    assert certificate.key is not None
    key_verify_pin(key=certificate.key, pin=pin, actor=user)  # commits its own attempt count
    lifetime = sad_lifetime()
    secret = sad_crypto.new_secret()
    now = clock.now()
    with transaction.atomic():
        SignatureActivation.objects.filter(expires_at__lt=now).delete()
        activation = SignatureActivation(
            user=user,
            certificate=certificate,
            hashes=list(hash_list),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
        )
        activation.sealed = sad_crypto.pin_seal(
            sad_id=activation.id, secret=secret, serial=certificate.serial, hash_list=hash_list, pin=pin
        )
        activation.save()
        audit_record(
            actor=user,
            action="csc.authorize",
            target=certificate,
            data={"sad_id": str(activation.id), "hashes": len(hash_list), "expires_in": lifetime},
        )
    return sad_crypto.sad_string(activation.id, secret), lifetime


def _sad_redeem(*, user: User, certificate: Certificate, sad: str, hash_list: list[str]) -> str:
    """Use up a SAD for hashes it was authorised for; return the PIN sealed in it."""
    try:
        sad_id, secret = sad_crypto.sad_parse(sad)
    except sad_crypto.SadUnreadable:
        raise SadInvalid() from None
    activation = SignatureActivation.objects.filter(pk=sad_id, user=user, certificate=certificate).first()
    now = clock.now()
    if activation is None or activation.used_at is not None:
        raise SadInvalid()
    if activation.expires_at <= now:
        SignatureActivation.objects.filter(pk=activation.pk).update(sealed=b"")
        raise SadExpired()
    authorised = list(activation.hashes)
    if len(hash_list) > len(authorised) or not set(hash_list) <= set(authorised):
        raise SadInvalid()
    try:
        pin = sad_crypto.pin_open(
            sad_id=activation.id,
            secret=secret,
            serial=certificate.serial,
            hash_list=authorised,
            sealed=bytes(activation.sealed),
        )
    except sad_crypto.SadUnreadable:
        raise SadInvalid() from None
    used = SignatureActivation.objects.filter(
        pk=activation.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, sealed=b"")
    if used != 1:  # another request used it a moment ago
        raise SadInvalid()
    return pin


def csc_sign_hashes(*, user: User, certificate: Certificate, sad: str, hash_list: list[str]) -> list[bytes]:
    """Sign SHA-256 hashes (base64) with the credential's key under a SAD issued for exactly those hashes."""
    if certificate.owner_id != user.pk or certificate.storage != Certificate.Storage.CLOUD:
        raise NotFound()
    credential_check(certificate=certificate)
    pin = _sad_redeem(user=user, certificate=certificate, sad=sad, hash_list=hash_list)
    assert certificate.key is not None
    # One PIN check (one KDF run) for the whole hash list; each signature is still audited.
    with key_session(key=certificate.key, pin=pin, actor=user) as session:
        signatures = [session.sign_digest(base64.b64decode(value)) for value in hash_list]
    with transaction.atomic():
        audit_record(
            actor=user,
            action="csc.sign_hash",
            target=certificate,
            data={"signatures": len(signatures), "hashes": list(hash_list)},
        )
    return signatures
