"""Reads of the reminder sweep: the policy, and the certificates with a reminder due.

Every query selects by a range of ``not_after`` (indexed), never by scanning all certificates.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from uzart.pki.models import Certificate
from uzart.reminders.models import ReminderKind, ReminderPolicy, ReminderSent
from uzart.reminders.schedule import day_start
from uzart.renewals.models import OPEN_STATUSES, RenewalRequest, Status
from uzart.workdays.selectors import deadline_working_days, working_day_shift

_ONE_DAY = dt.timedelta(days=1)


def reminder_policy_get() -> ReminderPolicy:
    """The operator's reminder policy; the defaults from settings until an admin saves one."""
    return ReminderPolicy.objects.order_by("pk").first() or ReminderPolicy()


def crossing_bounds(*, today: dt.date, policy: ReminderPolicy) -> list[tuple[str, int, dt.datetime]]:
    """For each threshold: (kind, threshold, bound) such that it is crossed by today iff not_after < bound.

    The N-day threshold of a certificate expiring on day D is crossed iff D <= today + N. The last day
    to send (the n-th working day before D) is on or before today iff D is on or before the n-th working
    day after today.
    """
    bounds = [
        (ReminderKind.EXPIRY.value, days, day_start(today + (days + 1) * _ONE_DAY)) for days in policy.days
    ]
    if policy.last_day:
        latest_expiry = working_day_shift(day=today, n=deadline_working_days())
        bounds.append((ReminderKind.LAST_DAY.value, 0, day_start(latest_expiry + _ONE_DAY)))
    if policy.expiry_day:
        bounds.append((ReminderKind.EXPIRY_DAY.value, 0, day_start(today + _ONE_DAY)))
    return bounds


def _renewal_under_way() -> Exists:
    return Exists(
        RenewalRequest.objects.filter(certificate=OuterRef("pk"), status__in=[*OPEN_STATUSES, Status.ISSUED])
    )


def _has_successor() -> Exists:
    return Exists(Certificate.objects.filter(predecessor=OuterRef("pk"), revoked_at__isnull=True))


def _handled(kind: str, threshold: int) -> Exists:
    return Exists(ReminderSent.objects.filter(certificate=OuterRef("pk"), kind=kind, threshold=threshold))


def certificates_with_reminder_due(
    *, now: dt.datetime, today: dt.date, policy: ReminderPolicy
) -> QuerySet[Certificate]:
    """Cloud certificates in force, not being renewed, with a crossed threshold not yet handled.

    Nothing for token certificates, revoked ones, inactive holders, or once a renewal request is open
    or issued (the renewal's own status messages take over).
    """
    bounds = crossing_bounds(today=today, policy=policy)
    if not bounds:
        return Certificate.objects.none()
    unhandled = functools.reduce(
        operator.or_,
        (Q(Q(not_after__lt=bound), ~_handled(kind, threshold)) for kind, threshold, bound in bounds),
    )
    return (
        Certificate.objects.cloud()
        .expiring_between(now, max(bound for _kind, _threshold, bound in bounds))
        .filter(revoked_at__isnull=True, owner__is_active=True)
        .filter(unhandled)
        .exclude(_renewal_under_way())
        .exclude(_has_successor())
        .select_related("owner")
        .order_by("not_after", "pk")
    )


def handled_thresholds(*, certificate_ids: list[int]) -> dict[int, set[tuple[str, int]]]:
    """The thresholds already handled (sent or superseded) for each certificate."""
    handled: dict[int, set[tuple[str, int]]] = {pk: set() for pk in certificate_ids}
    rows = ReminderSent.objects.filter(certificate_id__in=certificate_ids).values_list(
        "certificate_id", "kind", "threshold"
    )
    for certificate_id, kind, threshold in rows:
        handled[certificate_id].add((kind, threshold))
    return handled


def successors_newly_active(*, now: dt.datetime) -> QuerySet[Certificate]:
    """Cloud certificates that took over from a predecessor recently and whose holder was not told yet.

    Selected through the predecessor's ``not_after`` (indexed): a successor starts when it ends.
    """
    lookback = dt.timedelta(days=int(getattr(settings, "REMINDER_ACTIVE_LOOKBACK_DAYS", 7)))
    return (
        Certificate.objects.cloud()
        .filter(
            predecessor__not_after__gte=now - lookback,
            predecessor__not_after__lte=now,
            not_before__lte=now,
            not_after__gt=now,
            revoked_at__isnull=True,
            owner__is_active=True,
        )
        .exclude(_handled(ReminderKind.NEW_EDS_ACTIVE.value, 0))
        .select_related("owner")
        .order_by("not_before", "pk")
    )


def overdue_requests(*, today: dt.date) -> QuerySet[RenewalRequest]:
    """Open renewal requests whose last day to send has passed, most urgent expiry first."""
    return (
        RenewalRequest.objects.open()
        .filter(last_day_to_send__lt=today)
        .select_related("company")
        .order_by("old_not_after", "submitted_at", "pk")
    )
