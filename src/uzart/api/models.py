"""API tokens, signature activation data of the cloud-signing API, and rate-limit counters."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uzart import clock


class Scope(models.TextChoices):
    """What a token may do; the user's role still decides which objects it reaches."""

    READ = "read", _("Read")
    WRITE = "write", _("Change (cancel, claim, approve, reject, record payments)")
    SIGN = "sign", _("Sign with the EDS (renewal requests, cloud signing)")


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is kept; the token itself is shown once, when made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("beginning of the token"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, *, at: dt.datetime | None = None) -> bool:
        """Not revoked and not expired at ``at`` (now by default)."""
        instant = at or clock.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > instant)


class SignatureActivation(models.Model):
    """Signature activation data (SAD) of CSC ``credentials/authorize``: bound to a credential and hashes.

    The client holds ``<id>.<secret>``. ``sealed`` is the holder's PIN encrypted under a key derived from
    that secret and the server's key (see docs/api.md); it is wiped when the SAD is used or expires.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    certificate = models.ForeignKey("pki.Certificate", on_delete=models.CASCADE, related_name="+")
    hashes = models.JSONField(default=list)
    sealed = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signature activation")
        verbose_name_plural = _("signature activations")

    def __str__(self) -> str:
        return str(self.id)


class RateCounter(models.Model):
    """Attempts counted in one fixed time window for one bucket and client; shared by every process."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
