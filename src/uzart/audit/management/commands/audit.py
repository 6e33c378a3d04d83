from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uzart.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'uzart audit verify' checks the hash chain."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            raise CommandError(f"audit chain broken at event {report.broken_at}: {report.reason}")
        self.stdout.write(f"audit chain intact: {report.checked} event(s)")
