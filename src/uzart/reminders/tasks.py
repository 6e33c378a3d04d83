"""Background tasks of the reminders (django-tasks; ``uzart worker`` also sweeps on its own timer)."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep() -> dict[str, int]:
    """Send the reminders that are due and the operator's daily summary."""
    from uzart.reminders.services import operator_summary_send, reminder_sweep

    report = reminder_sweep()
    operator_summary_send()
    return {"sent": report.sent, "superseded": report.superseded, "new_eds_active": report.new_eds_active}
