"""Chainable filters over cloud keys."""

from __future__ import annotations

from typing import Any

from django.db import models


class CloudKeyQuerySet(models.QuerySet[Any]):
    def of_owner(self, owner: Any) -> CloudKeyQuerySet:
        return self.filter(owner=owner)

    def holder_keys(self) -> CloudKeyQuerySet:
        return self.filter(purpose="holder")

    def ca_keys(self) -> CloudKeyQuerySet:
        return self.filter(purpose="ca")

    def locked(self) -> CloudKeyQuerySet:
        return self.filter(locked_at__isnull=False)

    def usable(self) -> CloudKeyQuerySet:
        return self.filter(locked_at__isnull=True)
