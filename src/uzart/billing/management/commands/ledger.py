from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uzart.billing.money import money_format
from uzart.billing.selectors import ledger_reconcile


class Command(BaseCommand):
    help = "Ledger checks. 'reconcile': compare every cached balance with the sum of its entries."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["reconcile"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        checked, drifts = ledger_reconcile()
        for drift in drifts:
            self.stdout.write(
                f"DRIFT {drift.company_inn} {drift.company_name}: cached {drift.cached} tyiyn, "
                f"entries sum {drift.entries_sum} tyiyn, difference {drift.difference:+d} tyiyn "
                f"({money_format(drift.difference, language='en')})"
            )
        if drifts:
            raise CommandError(f"{len(drifts)} of {checked} accounts do not match their ledger entries.")
        self.stdout.write(self.style.SUCCESS(f"OK: {checked} accounts match their ledger entries."))
