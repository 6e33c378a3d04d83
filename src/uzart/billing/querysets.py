"""Chainable filters of billing models."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from uzart.billing.models import LedgerEntry, Tariff  # noqa: F401


class TariffQuerySet(models.QuerySet["Tariff"]):
    def for_service(self, service: str) -> TariffQuerySet:
        return self.filter(service=service)

    def for_role(self, role: str | None) -> TariffQuerySet:
        """Tariffs of exactly this role, or the any-role tariffs when ``role`` is None or empty."""
        return self.filter(role=role or "")

    def effective_on(self, day: dt.date) -> TariffQuerySet:
        """Tariffs that have started by ``day`` (a Bishkek date), newest first."""
        return self.filter(effective_from__lte=day).order_by("-effective_from", "-id")


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    """Entries are append-only: bulk updates and deletes are refused."""

    def for_company(self, company_id: int) -> LedgerEntryQuerySet:
        return self.filter(account__company_id=company_id)

    def between(self, start: dt.datetime | None, end: dt.datetime | None) -> LedgerEntryQuerySet:
        """Entries at or after ``start`` and before ``end`` (either may be None)."""
        condition = Q()
        if start is not None:
            condition &= Q(created_at__gte=start)
        if end is not None:
            condition &= Q(created_at__lt=end)
        return self.filter(condition)

    def update(self, **kwargs: Any) -> int:
        raise ValueError("Ledger entries are append-only; record a correcting entry instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are append-only; record a correcting entry instead.")
