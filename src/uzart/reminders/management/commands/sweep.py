from typing import Any

from django.core.management.base import BaseCommand

from uzart.outbox.services import delivery_send_due
from uzart.reminders.services import operator_summary_send, reminder_sweep


class Command(BaseCommand):
    help = (
        "Send every reminder that is due, once (idempotent; safe to run twice at once), and the operator's "
        "daily summary. The worker runs this every few minutes; run it by hand after downtime."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--deliver", action="store_true", help="Also send the due e-mails and SMS now.")

    def handle(self, *args: Any, deliver: bool, **options: Any) -> None:
        report = reminder_sweep()
        summary = operator_summary_send()
        self.stdout.write(str(report) + (" operator-summary=queued" if summary is not None else ""))
        if deliver:
            sent = delivery_send_due()
            self.stdout.write(f"deliveries sent={sent.sent} failed={sent.failed} dead={sent.dead}")
