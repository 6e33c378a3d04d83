"""Reads of the reminder sweep: the policy, and the certificates with a reminder due.

Every query selects by a range of ``not_after`` (indexed), never by scanning all certificates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from uzart.accounts.models import User
from uzart.pki.models import Certificate
from uzart.pki.querysets import CertificateQuerySet
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


def _renewal_under_way(now: dt.datetime) -> Exists:
    # A request keeps the expiry of the certificate it renews (old_not_after, indexed), and candidates
    # expire after ``now``: the bound changes no answer, but keeps the lookup off the years of history.
    return Exists(
        RenewalRequest.objects.filter(
            certificate=OuterRef("pk"), status__in=[*OPEN_STATUSES, Status.ISSUED], old_not_after__gte=now
        )
    )


def _has_successor() -> Exists:
    return Exists(Certificate.objects.filter(predecessor=OuterRef("pk"), revoked_at__isnull=True))


def _handled(kind: str, threshold: int) -> Exists:
    return Exists(ReminderSent.objects.filter(certificate=OuterRef("pk"), kind=kind, threshold=threshold))


def _due_candidates(now: dt.datetime) -> CertificateQuerySet:
    """Cloud certificates that may be reminded: not revoked, no renewal under way, no successor."""
    return (
        Certificate.objects.cloud()
        .filter(revoked_at__isnull=True)
        .exclude(_renewal_under_way(now))
        .exclude(_has_successor())
    )


def due_queries(*, now: dt.datetime, today: dt.date, policy: ReminderPolicy) -> list[QuerySet[Any]]:
    """Per threshold: (not_after, pk) of the candidates that crossed it and have it not handled."""
    return [
        _due_candidates(now)
        .expiring_between(now, bound)
        .exclude(_handled(kind, threshold))
        .order_by()
        .values_list("not_after", "pk")
        for kind, threshold, bound in crossing_bounds(today=today, policy=policy)
    ]


def certificate_ids_with_reminder_due(
    *, now: dt.datetime, today: dt.date, policy: ReminderPolicy
) -> list[int]:
    """Certificates in force with a crossed threshold not yet handled, soonest expiry first.

    Nothing for token certificates, revoked ones, or once a renewal request is open or issued (the
    renewal's own status messages take over). One query per threshold, joined by UNION ALL: each is an
    indexed ``not_after`` range with anti-joins that PostgreSQL runs as index probes per candidate (the
    unique (certificate, kind, threshold) key, the predecessor index, the requests of unexpired
    certificates), so no query reads the years of history; an OR of NOT EXISTS would make it hash
    whole tables. The holder's account is checked by ``certificates_for_reminders``.
    """
    branches = due_queries(now=now, today=today, policy=policy)
    if not branches:
        return []
    rows: set[tuple[dt.datetime, int]] = set(branches[0].union(*branches[1:], all=True))
    return [pk for _not_after, pk in sorted(rows)]


def _with_active_owners(certificates: list[Certificate]) -> list[Certificate]:
    # Holders are read by primary key in a second query: a join could make PostgreSQL hash every user.
    owners = User.objects.filter(is_active=True).in_bulk({c.owner_id for c in certificates})
    kept = []
    for certificate in certificates:
        if certificate.owner_id in owners:
            certificate.owner = owners[certificate.owner_id]
            kept.append(certificate)
    return kept


def certificates_for_reminders(*, certificate_ids: list[int]) -> list[Certificate]:
    """These certificates with their holders, in expiry order; those of inactive holders left out."""
    certificates = Certificate.objects.filter(pk__in=certificate_ids).defer("der").order_by("not_after", "pk")
    return _with_active_owners(list(certificates))


def handled_thresholds(*, certificate_ids: list[int]) -> dict[int, set[tuple[str, int]]]:
    """The thresholds already handled (sent or superseded) for each certificate."""
    handled: dict[int, set[tuple[str, int]]] = {pk: set() for pk in certificate_ids}
    rows = ReminderSent.objects.filter(certificate_id__in=certificate_ids).values_list(
        "certificate_id", "kind", "threshold"
    )
    for certificate_id, kind, threshold in rows:
        handled[certificate_id].add((kind, threshold))
    return handled


def successors_newly_active(*, now: dt.datetime, limit: int = 500) -> list[Certificate]:
    """Cloud certificates that took over from a predecessor recently and whose holder was not told yet.

    Selected through the predecessor's ``not_after`` (indexed; a successor starts when it ends) and
    the successor's ``predecessor`` index; holders whose account is inactive are left out.
    """
    lookback = dt.timedelta(days=int(getattr(settings, "REMINDER_ACTIVE_LOOKBACK_DAYS", 7)))
    ids = list(
        Certificate.objects.cloud()
        .filter(
            predecessor__not_after__gte=now - lookback,
            predecessor__not_after__lte=now,
            not_before__lte=now,
            not_after__gt=now,
            revoked_at__isnull=True,
        )
        .exclude(_handled(ReminderKind.NEW_EDS_ACTIVE.value, 0))
        .order_by("not_before", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    certificates = Certificate.objects.filter(pk__in=ids).defer("der").order_by("not_before", "pk")
    return _with_active_owners(list(certificates))


def overdue_requests(*, today: dt.date) -> QuerySet[RenewalRequest]:
    """Open renewal requests whose last day to send has passed, most urgent expiry first."""
    return (
        RenewalRequest.objects.open()
        .filter(last_day_to_send__lt=today)
        .select_related("company")
        .order_by("old_not_after", "submitted_at", "pk")
    )
