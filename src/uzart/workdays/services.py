"""Writes of the working-day calendar: the operator's overrides, each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from uzart.audit.services import audit_record
from uzart.errors import ValidationFailed
from uzart.workdays.models import WorkdayOverride


@transaction.atomic
def workday_override_set(*, day: dt.date, kind: str, note: str = "", actor: Any = None) -> WorkdayOverride:
    """Declare ``day`` a day off or a working day, replacing any earlier override of that date."""
    override = WorkdayOverride.objects.select_for_update().filter(date=day).first() or WorkdayOverride(
        date=day
    )
    previous = override.kind if override.pk else ""
    override.kind = kind
    override.note = note.strip()
    try:
        override.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(str(m) for m in exc.messages)) from None
    override.save()
    audit_record(
        actor=actor,
        action="workday.override_set",
        target=override,
        data={"date": day.isoformat(), "kind": kind, "previous": previous, "note": override.note},
    )
    return override


@transaction.atomic
def workday_override_delete(*, day: dt.date, actor: Any = None) -> bool:
    """Remove the override of ``day`` so the holidays package decides again; False if there was none."""
    override = WorkdayOverride.objects.select_for_update().filter(date=day).first()
    if override is None:
        return False
    audit_record(
        actor=actor,
        action="workday.override_delete",
        target=override,
        data={"date": day.isoformat(), "kind": override.kind},
    )
    override.delete()
    return True
