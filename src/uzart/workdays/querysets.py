"""Chainable filters of working-day overrides."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from uzart.workdays.models import WorkdayOverride  # noqa: F401


class WorkdayOverrideQuerySet(models.QuerySet["WorkdayOverride"]):
    def between(self, start: dt.date, end: dt.date) -> WorkdayOverrideQuerySet:
        """Overrides dated from ``start`` to ``end``, both included."""
        return self.filter(date__gte=start, date__lte=end)
