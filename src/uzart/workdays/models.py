"""Operator overrides of the Kyrgyz working-day calendar: decreed days off and transferred working days."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from uzart.workdays.querysets import WorkdayOverrideQuerySet


class WorkdayOverride(models.Model):
    """One calendar date whose working status the operator sets, overriding the holidays package."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    date = models.DateField(
        _("date"),
        unique=True,
        error_messages={"unique": _("This date already has an override; edit it instead.")},
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.CharField(
        _("note"),
        max_length=255,
        blank=True,
        help_text=_("For example the government decree that moved the day."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: ClassVar[WorkdayOverrideQuerySet] = WorkdayOverrideQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["day_off", "working_day"]), name="workday_override_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()}"

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.WORKING_DAY
