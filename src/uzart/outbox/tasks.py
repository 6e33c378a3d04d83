"""Background tasks of the outbox (django-tasks; run by ``uzart worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_due() -> dict[str, int]:
    """Send the deliveries that are due."""
    from uzart.outbox.services import delivery_send_due

    report = delivery_send_due()
    return {"sent": report.sent, "failed": report.failed, "dead": report.dead}
