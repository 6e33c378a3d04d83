"""The reminder sweep and the operator's daily summary. Safe to run twice, or twice at once.

Each due certificate is handled in its own transaction: a ``ReminderSent`` row per crossed threshold
(unique per certificate, kind and threshold) and at most one notification (unique dedupe key). When two
sweeps race for the same certificate, the second one's insert fails on those unique keys and it rolls
back: the holder gets the reminder once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from uzart import clock
from uzart.accounts.selectors import operator_profile_get
from uzart.audit.services import audit_record
from uzart.outbox.models import Notification, ReminderPreference
from uzart.outbox.selectors import preference_map
from uzart.outbox.services import delivery_kicks_batched, notification_email_address, notification_enqueue
from uzart.pki.models import Certificate
from uzart.reminders.models import ReminderKind, ReminderPolicy, ReminderSent
from uzart.reminders.schedule import Decision, Mark, decide, marks_for
from uzart.reminders.selectors import (
    certificates_with_reminder_due,
    handled_thresholds,
    overdue_requests,
    reminder_policy_get,
    successors_newly_active,
)
from uzart.workdays.selectors import last_day_to_send

logger = logging.getLogger(__name__)

BATCH = 500
SUMMARY_MAX_ROWS = 200


@dataclass
class SweepReport:
    sent: int = 0
    superseded: int = 0
    lost_races: int = 0
    new_eds_active: int = 0

    def __str__(self) -> str:
        return (
            f"reminders sent={self.sent} superseded={self.superseded} "
            f"new-eds-active={self.new_eds_active} already-handled-by-another-sweep={self.lost_races}"
        )


def _date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _dedupe_key(certificate: Certificate, mark: Mark) -> str:
    return f"reminder:{certificate.pk}:{mark.kind}:{mark.threshold}"


def _reminder_params(
    certificate: Certificate, *, expires_on: dt.date, last_day: dt.date, today: dt.date
) -> dict[str, Any]:
    return {
        "days": (expires_on - today).days,
        "expires": _date(expires_on),
        "last_day": _date(last_day),
        "time": f"{clock.to_bishkek(certificate.not_after):%H:%M}",
    }


def _record(
    certificate: Certificate, decision: Decision, notification: Notification | None, now: dt.datetime
) -> None:
    rows = [
        ReminderSent(
            certificate=certificate,
            kind=mark.kind,
            threshold=mark.threshold,
            outcome=ReminderSent.Outcome.SUPERSEDED,
            at=now,
        )
        for mark in decision.superseded
    ]
    if decision.send is not None:
        rows.append(
            ReminderSent(
                certificate=certificate,
                kind=decision.send.kind,
                threshold=decision.send.threshold,
                outcome=ReminderSent.Outcome.SENT,
                notification=notification,
                at=now,
            )
        )
    ReminderSent.objects.bulk_create(rows)


def _handle(
    certificate: Certificate,
    decision: Decision,
    *,
    params: dict[str, Any],
    preference: ReminderPreference,
    now: dt.datetime,
    report: SweepReport,
) -> None:
    try:
        with transaction.atomic():
            notification = None
            if decision.send is not None:
                notification = notification_enqueue(
                    user=certificate.owner,
                    kind=decision.send.kind,
                    params=params,
                    link=reverse("renewals:renew"),
                    dedupe_key=_dedupe_key(certificate, decision.send),
                    preference=preference,
                    strict=True,
                )
            _record(certificate, decision, notification, now)
    except IntegrityError:
        report.lost_races += 1
        return
    report.sent += decision.send is not None
    report.superseded += len(decision.superseded)


def _expiry_reminders(
    *, now: dt.datetime, today: dt.date, policy: ReminderPolicy, report: SweepReport
) -> None:
    last_days: dict[dt.date, dt.date] = {}
    while True:
        batch = list(certificates_with_reminder_due(now=now, today=today, policy=policy)[:BATCH])
        if not batch:
            return
        handled = handled_thresholds(certificate_ids=[c.pk for c in batch])
        preferences = preference_map(user_ids=sorted({c.owner_id for c in batch}))
        progress = report.sent + report.superseded + report.lost_races
        for certificate in batch:
            expires_on = clock.to_bishkek(certificate.not_after).date()
            if expires_on not in last_days:
                last_days[expires_on] = last_day_to_send(expiry=expires_on)
            last_day = last_days[expires_on]
            decision = decide(
                marks=marks_for(expires_on=expires_on, last_day=last_day, policy=policy),
                done=handled[certificate.pk],
                today=today,
            )
            if decision.send is None and not decision.superseded:
                continue
            _handle(
                certificate,
                decision,
                params=_reminder_params(certificate, expires_on=expires_on, last_day=last_day, today=today),
                preference=preferences.get(certificate.owner_id)
                or ReminderPreference(user=certificate.owner),
                now=now,
                report=report,
            )
        if report.sent + report.superseded + report.lost_races == progress or len(batch) < BATCH:
            return


def _new_eds_notices(*, now: dt.datetime, report: SweepReport) -> None:
    mark = Mark(ReminderKind.NEW_EDS_ACTIVE, 0, clock.to_bishkek(now).date())
    successors = list(successors_newly_active(now=now)[:BATCH])
    preferences = preference_map(user_ids=sorted({c.owner_id for c in successors}))
    for certificate in successors:
        params = {
            "starts": _date(clock.to_bishkek(certificate.not_before).date()),
            "ends": _date(clock.to_bishkek(certificate.not_after).date()),
        }
        try:
            with transaction.atomic():
                notification = notification_enqueue(
                    user=certificate.owner,
                    kind=mark.kind,
                    params=params,
                    link=reverse("web:home"),
                    dedupe_key=_dedupe_key(certificate, mark),
                    preference=preferences.get(certificate.owner_id)
                    or ReminderPreference(user=certificate.owner),
                    strict=True,
                )
                _record(certificate, Decision(mark, []), notification, now)
        except IntegrityError:
            report.lost_races += 1
            continue
        report.new_eds_active += 1


def reminder_sweep() -> SweepReport:
    """Send every reminder that is due now, once; after a gap only the latest crossed threshold."""
    now = clock.now()
    today = clock.to_bishkek(now).date()
    policy = reminder_policy_get()
    report = SweepReport()
    with delivery_kicks_batched():
        _expiry_reminders(now=now, today=today, policy=policy, report=report)
        if policy.new_eds_active:
            _new_eds_notices(now=now, report=report)
    if report.sent or report.new_eds_active:
        logger.info("sweep: %s", report)
    return report


def summary_address() -> str:
    """Where the operator's daily summary goes: OPERATOR_SUMMARY_EMAIL, else the operator's support e-mail."""
    configured = str(getattr(settings, "OPERATOR_SUMMARY_EMAIL", ""))
    if configured:
        return configured
    profile = operator_profile_get()
    return profile.support_email if profile.pk is not None else ""


def operator_summary_send() -> Notification | None:
    """Once a day (from OPERATOR_SUMMARY_HOUR, Bishkek time): e-mail the open requests past their last day to send."""
    now = clock.now()
    local = clock.to_bishkek(now)
    if local.hour < int(getattr(settings, "OPERATOR_SUMMARY_HOUR", 8)):
        return None
    today = local.date()
    dedupe_key = f"operator-summary:{today.isoformat()}"
    if Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    requests = overdue_requests(today=today)
    count = requests.count()
    if not count:
        return None
    address = summary_address()
    if not address:
        logger.warning("no address for the operator's daily summary: set OPERATOR_SUMMARY_EMAIL")
        return None
    with translation.override(settings.LANGUAGE_CODE):
        rows = [
            {
                "number": request.number or f"#{request.pk}",
                "company": request.company_name,
                "inn": request.company_inn,
                "holder": request.full_name,
                "last_day": _date(request.last_day_to_send),
                "expires": _date(clock.to_bishkek(request.old_not_after).date()),
                "status": str(request.get_status_display()),
            }
            for request in requests[:SUMMARY_MAX_ROWS]
        ]
    with transaction.atomic():
        return notification_email_address(
            address=address,
            kind="operator.summary",
            params={"date": _date(today), "count": count, "requests": rows},
            link=reverse("renewals:queue"),
            dedupe_key=dedupe_key,
        )


@transaction.atomic
def reminder_policy_save(*, policy: ReminderPolicy, actor: Any) -> ReminderPolicy:
    """Save the reminder policy (one row) and record the change in the audit log."""
    existing = ReminderPolicy.objects.order_by("pk").first()
    if existing is not None and policy.pk != existing.pk:
        policy.pk = existing.pk
    policy.full_clean()
    policy.updated_at = clock.now()
    policy.save()
    audit_record(
        actor=actor,
        action="reminders.policy_save",
        target=policy,
        data={
            "days_before": policy.days,
            "last_day": policy.last_day,
            "expiry_day": policy.expiry_day,
            "new_eds_active": policy.new_eds_active,
        },
    )
    return policy
