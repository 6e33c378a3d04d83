"""Chainable filters on certificates. "In force" is always read from the dates, never stored."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models

from uzart import clock

if TYPE_CHECKING:
    from uzart.accounts.models import User


class CertificateQuerySet(models.QuerySet[Any]):
    def in_force(self, *, at: dt.datetime | None = None) -> CertificateQuerySet:
        """Valid at ``at`` (not_before <= at < not_after) and not revoked by then."""
        at = at or clock.now()
        return self.filter(not_before__lte=at, not_after__gt=at).exclude(revoked_at__lte=at)

    def expiring_between(self, start: dt.datetime, end: dt.datetime) -> CertificateQuerySet:
        """Whose not_after falls in [start, end) — uses the not_after index."""
        return self.filter(not_after__gte=start, not_after__lt=end)

    def not_revoked(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)

    def cloud(self) -> CertificateQuerySet:
        """Whose key is kept in the operator's cloud keystore."""
        return self.filter(storage="cloud")

    def on_token(self) -> CertificateQuerySet:
        return self.filter(storage="token")

    def for_owner(self, user: User) -> CertificateQuerySet:
        return self.filter(owner=user)

    def issued_by(self, ca: Any) -> CertificateQuerySet:
        return self.filter(issuer=ca)


class CertificateAuthorityQuerySet(models.QuerySet[Any]):
    def issuing(self) -> CertificateAuthorityQuerySet:
        return self.filter(role="issuing")

    def roots(self) -> CertificateAuthorityQuerySet:
        return self.filter(role="root")

    def valid_at(self, at: dt.datetime) -> CertificateAuthorityQuerySet:
        return self.filter(not_before__lte=at, not_after__gt=at)
