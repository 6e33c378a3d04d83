"""Statistics of renewed EDSs: anonymous aggregates for everyone, per-specialist counts for the operator.

Every figure is one aggregate query; months are Asia/Bishkek calendar months of the decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connections
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils.translation import gettext_lazy as _

from uzart import clock
from uzart.accounts.models import User
from uzart.errors import PermissionDenied, ValidationFailed
from uzart.renewals.models import Channel, RenewalRequest, Status

# A holder who sent documents because their details changed still renewed without coming in.
REMOTE_CHANNELS = (Channel.REMOTE, Channel.DOCUMENTS)
MAX_MONTHS = 60


@dataclass(frozen=True)
class MonthCount:
    """Renewals issued in one Bishkek calendar month."""

    month: dt.date  # the first day of the month
    remote: int
    office: int

    @property
    def total(self) -> int:
        return self.remote + self.office


@dataclass(frozen=True)
class SpecialistCount:
    """Decisions one operator specialist took in the period."""

    user_id: int
    name: str
    issued: int
    rejected: int


@dataclass(frozen=True)
class RenewalStats:
    """What the Options page shows about renewed EDSs over a period of whole months."""

    first_month: dt.date
    last_month: dt.date
    months: tuple[MonthCount, ...]
    remote_in_time: int  # issued remote renewals whose request was sent on or before its last day to send
    median_processing: dt.timedelta | None  # of issued remote renewals, from sending to the decision
    specialists: tuple[SpecialistCount, ...] | None  # None unless the reader is operator staff

    @property
    def remote_total(self) -> int:
        return sum(row.remote for row in self.months)

    @property
    def office_total(self) -> int:
        return sum(row.office for row in self.months)

    @property
    def total(self) -> int:
        return self.remote_total + self.office_total

    @property
    def in_time_share(self) -> float | None:
        """Share (0..1) of issued remote renewals sent by their last day to send; None when there were none."""
        return self.remote_in_time / self.remote_total if self.remote_total else None

    @property
    def in_time_percent(self) -> int | None:
        share = self.in_time_share
        return None if share is None else round(share * 100)


class Median(Aggregate):
    """PostgreSQL's continuous median: ``percentile_cont(0.5) WITHIN GROUP (ORDER BY expr)``; PostgreSQL only."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def month_add(month: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``month``'s month."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_start(month: dt.date) -> dt.datetime:
    """Midnight in Bishkek at the start of ``month``'s month, as an aware instant."""
    return dt.datetime(month.year, month.month, 1, tzinfo=clock.BISHKEK)


def _processing_time() -> ExpressionWrapper:
    return ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())


def median_duration_by_offset(queryset: QuerySet[RenewalRequest]) -> dt.timedelta | None:
    """Median processing time on any database: count, then read the middle one or two rows in order."""
    count = queryset.count()
    if count == 0:
        return None
    middle = list(
        queryset.annotate(processing=_processing_time())
        .order_by("processing", "pk")
        .values_list("processing", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(middle, dt.timedelta()) / len(middle)


def median_duration(queryset: QuerySet[RenewalRequest]) -> dt.timedelta | None:
    """Median processing time, computed by the database: percentile_cont on PostgreSQL, else by offset."""
    if connections[queryset.db].vendor == "postgresql":
        value = queryset.aggregate(median=Median(_processing_time(), output_field=DurationField()))["median"]
        return value if value is None or isinstance(value, dt.timedelta) else dt.timedelta(microseconds=value)
    return median_duration_by_offset(queryset)


def _period(
    *, user: User, months: int, at: dt.datetime, first_month: dt.date | None, last_month: dt.date | None
) -> tuple[dt.date, dt.date]:
    if (first_month or last_month) and not user.is_operator:
        raise PermissionDenied()
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationFailed(_("Choose a period of at most %(months)d months."), months=MAX_MONTHS)
    last = (last_month or clock.to_bishkek(at).date()).replace(day=1)
    first = first_month.replace(day=1) if first_month else month_add(last, -(months - 1))
    if first > last:
        raise ValidationFailed(_("The first month of the period must not be after the last one."))
    if month_add(first, MAX_MONTHS) <= last:
        raise ValidationFailed(_("Choose a period of at most %(months)d months."), months=MAX_MONTHS)
    return first, last


def _specialist_counts(decided: QuerySet[RenewalRequest]) -> tuple[SpecialistCount, ...]:
    rows = (
        decided.filter(decided_by__isnull=False, status__in=[Status.ISSUED, Status.REJECTED])
        .values("decided_by", "decided_by__surname", "decided_by__given_name", "decided_by__patronymic")
        .annotate(
            issued=Count("pk", filter=Q(status=Status.ISSUED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        )
        .order_by("decided_by__surname", "decided_by__given_name", "decided_by")
    )
    return tuple(
        SpecialistCount(
            user_id=row["decided_by"],
            name=" ".join(
                part
                for part in (
                    row["decided_by__surname"],
                    row["decided_by__given_name"],
                    row["decided_by__patronymic"],
                )
                if part
            ),
            issued=row["issued"],
            rejected=row["rejected"],
        )
        for row in rows
    )


def renewal_stats(
    *,
    user: User,
    months: int = 12,
    at: dt.datetime | None = None,
    first_month: dt.date | None = None,
    last_month: dt.date | None = None,
) -> RenewalStats:
    """Renewed EDSs per month (remote vs office), share sent in time, median processing; staff get specialists.

    The period is the ``months`` Bishkek months up to the one containing ``at``; operator staff may
    instead choose ``first_month`` .. ``last_month`` (whole months). Holders see only anonymous totals.
    """
    at = at or clock.now()
    first, last = _period(user=user, months=months, at=at, first_month=first_month, last_month=last_month)
    decided = RenewalRequest.objects.filter(
        decided_at__gte=_month_start(first), decided_at__lt=_month_start(month_add(last, 1))
    )
    issued = decided.filter(status=Status.ISSUED)

    per_month = (
        issued.annotate(month=TruncMonth("decided_at", tzinfo=clock.BISHKEK))
        .values("month")
        .annotate(
            remote=Count("pk", filter=Q(channel__in=REMOTE_CHANNELS)),
            office=Count("pk", filter=Q(channel=Channel.OFFICE)),
        )
        .order_by("month")
    )
    found: dict[dt.date, tuple[int, int]] = {}
    for row in per_month:  # one row per month with renewals, never per request
        month = row["month"]
        day = clock.to_bishkek(month).date() if isinstance(month, dt.datetime) else month
        found[day.replace(day=1)] = (row["remote"], row["office"])
    month_rows = []
    month = first
    while month <= last:
        remote_count, office_count = found.get(month, (0, 0))
        month_rows.append(MonthCount(month=month, remote=remote_count, office=office_count))
        month = month_add(month, 1)

    remote = issued.filter(channel__in=REMOTE_CHANNELS)
    in_time = remote.annotate(sent_on=TruncDate("submitted_at", tzinfo=clock.BISHKEK)).aggregate(
        in_time=Count("pk", filter=Q(sent_on__lte=F("last_day_to_send")))
    )["in_time"]

    return RenewalStats(
        first_month=first,
        last_month=last,
        months=tuple(month_rows),
        remote_in_time=in_time,
        median_processing=median_duration(remote),
        specialists=_specialist_counts(decided) if user.is_operator else None,
    )
