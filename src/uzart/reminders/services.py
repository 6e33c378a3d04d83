"""The reminder sweep and the operator's daily summary. Safe to run twice, or twice at once.

For each due certificate the sweep writes a ``ReminderSent`` row per crossed threshold (unique per
certificate, kind and threshold) and at most one notification (unique dedupe key), a hundred
certificates per transaction with a few bulk inserts. When two sweeps race for the same certificate,
the second one's insert waits for the first to commit and fails on those unique keys; it then redoes
its chunk one certificate per savepoint, skipping what the other sweep wrote: the holder gets the
reminder once.
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
from uzart.outbox.services import (
    NotificationDraft,
    delivery_kicks_batched,
    notification_email_address,
    notifications_enqueue_many,
)
from uzart.pki.models import Certificate
from uzart.reminders.models import ReminderKind, ReminderPolicy, ReminderSent
from uzart.reminders.schedule import Decision, Mark, decide, marks_for
from uzart.reminders.selectors import (
    certificate_ids_with_reminder_due,
    certificates_for_reminders,
    handled_thresholds,
    overdue_requests,
    reminder_policy_get,
    successors_newly_active,
)
from uzart.workdays.selectors import last_day_to_send

logger = logging.getLogger(__name__)

BATCH = 500  # certificates loaded per query
CHUNK = 100  # written per transaction; racing sweeps never deadlock: both go in (not_after, pk) order
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


def _wording(*, today: dt.date, last_day: dt.date, expires_on: dt.date) -> str:
    """Which text a reminder sent today needs, whatever threshold it is for (a late sweep included)."""
    if today >= expires_on:
        return "reminder.expiry_day"
    if today > last_day:
        return "reminder.late"
    if today == last_day:
        return "reminder.last_day"
    return "reminder.expiry"


def _reminder_params(
    certificate: Certificate, *, expires_on: dt.date, last_day: dt.date, today: dt.date
) -> dict[str, Any]:
    return {
        "days": (expires_on - today).days,
        "expires": _date(expires_on),
        "last_day": _date(last_day),
        "time": f"{clock.to_bishkek(certificate.not_after):%H:%M}",
    }


def _records(work: _Work, notification: Notification | None, now: dt.datetime) -> list[ReminderSent]:
    rows = [
        ReminderSent(
            certificate=work.certificate,
            kind=mark.kind,
            threshold=mark.threshold,
            outcome=ReminderSent.Outcome.SUPERSEDED,
            at=now,
        )
        for mark in work.decision.superseded
    ]
    if work.decision.send is not None:
        rows.append(
            ReminderSent(
                certificate=work.certificate,
                kind=work.decision.send.kind,
                threshold=work.decision.send.threshold,
                outcome=ReminderSent.Outcome.SENT,
                notification=notification,
                at=now,
            )
        )
    return rows


@dataclass(frozen=True)
class _Work:
    """What to write for one certificate: its decision, the notification's parameters and link."""

    certificate: Certificate
    decision: Decision
    params: dict[str, Any]
    link: str
    preference: ReminderPreference
    kind: str = ""  # the notification's wording; by default the threshold's kind

    def draft(self) -> NotificationDraft | None:
        send = self.decision.send
        if send is None:
            return None
        return NotificationDraft(
            user=self.certificate.owner,
            kind=self.kind or send.kind,
            params=self.params,
            link=self.link,
            dedupe_key=f"reminder:{self.certificate.pk}:{send.kind}:{send.threshold}",
            preference=self.preference,
        )


def _count(work: _Work, report: SweepReport) -> None:
    if work.decision.send is not None and work.decision.send.kind == ReminderKind.NEW_EDS_ACTIVE:
        report.new_eds_active += 1
    else:
        report.sent += work.decision.send is not None
    report.superseded += len(work.decision.superseded)


def _write_one(work: _Work, now: dt.datetime, report: SweepReport) -> None:
    draft = work.draft()
    try:
        with transaction.atomic():  # a savepoint: losing the race undoes this certificate only
            notifications = notifications_enqueue_many(drafts=[draft]) if draft is not None else []
            ReminderSent.objects.bulk_create(_records(work, notifications[0] if notifications else None, now))
    except IntegrityError:
        report.lost_races += 1
        return
    _count(work, report)


def _write(chunk: list[_Work], now: dt.datetime, report: SweepReport) -> None:
    """Write a chunk with a few bulk inserts; if another sweep got any of it first, one by one."""
    try:
        with transaction.atomic():
            drafts = [(work, work.draft()) for work in chunk]
            sending = [(work, draft) for work, draft in drafts if draft is not None]
            notifications = notifications_enqueue_many(drafts=[draft for _work, draft in sending])
            sent_by = {
                work.certificate.pk: n for (work, _draft), n in zip(sending, notifications, strict=True)
            }
            ReminderSent.objects.bulk_create(
                [row for work in chunk for row in _records(work, sent_by.get(work.certificate.pk), now)]
            )
    except IntegrityError:
        with transaction.atomic():
            for work in chunk:
                _write_one(work, now, report)
        return
    for work in chunk:
        _count(work, report)


def _expiry_reminders(
    *, now: dt.datetime, today: dt.date, policy: ReminderPolicy, report: SweepReport
) -> None:
    link = reverse("renewals:renew")
    last_days: dict[dt.date, dt.date] = {}
    due = certificate_ids_with_reminder_due(now=now, today=today, policy=policy)
    for start in range(0, len(due), BATCH):
        batch = certificates_for_reminders(certificate_ids=due[start : start + BATCH])
        handled = handled_thresholds(certificate_ids=[c.pk for c in batch])  # fresh: a parallel sweep
        preferences = preference_map(user_ids=sorted({c.owner_id for c in batch}))
        chunk: list[_Work] = []
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
            chunk.append(
                _Work(
                    certificate=certificate,
                    decision=decision,
                    params=_reminder_params(
                        certificate, expires_on=expires_on, last_day=last_day, today=today
                    ),
                    link=link,
                    preference=preferences.get(certificate.owner_id)
                    or ReminderPreference(user=certificate.owner),
                    kind=_wording(today=today, last_day=last_day, expires_on=expires_on),
                )
            )
            if len(chunk) == CHUNK:
                _write(chunk, now, report)
                chunk = []
        if chunk:
            _write(chunk, now, report)


def _new_eds_notices(*, now: dt.datetime, report: SweepReport) -> None:
    mark = Mark(ReminderKind.NEW_EDS_ACTIVE, 0, clock.to_bishkek(now).date())
    link = reverse("web:home")
    successors = successors_newly_active(now=now, limit=BATCH)
    preferences = preference_map(user_ids=sorted({c.owner_id for c in successors}))
    work = [
        _Work(
            certificate=certificate,
            decision=Decision(mark, []),
            params={
                "starts": _date(clock.to_bishkek(certificate.not_before).date()),
                "ends": _date(clock.to_bishkek(certificate.not_after).date()),
            },
            link=link,
            preference=preferences.get(certificate.owner_id) or ReminderPreference(user=certificate.owner),
        )
        for certificate in successors
    ]
    for start in range(0, len(work), CHUNK):
        _write(work[start : start + CHUNK], now, report)


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
