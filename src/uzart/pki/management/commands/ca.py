from typing import Any

from django.core.management.base import BaseCommand

from uzart.keystore.models import CloudKey
from uzart.pki.selectors import ca_chain
from uzart.pki.services import ca_init, crl_refresh_due


class Command(BaseCommand):
    help = (
        "Certificate authority tools. 'uzart ca init' creates the root and issuing CAs (idempotent); "
        "'uzart ca show' prints the chain; 'uzart ca crl-refresh' re-signs CRLs that are due."
    )

    def add_arguments(self, parser: Any) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        init = subcommands.add_parser("init", help="Create the root and issuing CAs unless they exist.")
        init.add_argument(
            "--algorithm", choices=CloudKey.Algorithm.values, default=CloudKey.Algorithm.EC_P256
        )
        init.add_argument("--organization", help="O= of the CA names (default: the operator profile's name).")
        subcommands.add_parser("show", help="Print the current CA chain.")
        subcommands.add_parser("crl-refresh", help="Re-sign the CRLs that expire within a day.")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "init":
            root, issuing, created = ca_init(
                algorithm=options["algorithm"], organization=options["organization"]
            )
            verb = "created" if created else "already present"
            self.stdout.write(
                f"CAs {verb}: root {root.name} ({root.subject}), issuing {issuing.name} ({issuing.subject})"
            )
        elif subcommand == "show":
            for ca in ca_chain():
                self.stdout.write(
                    f"{ca.role:8} {ca.name:16} {ca.subject}  {ca.not_before:%Y-%m-%d} .. {ca.not_after:%Y-%m-%d}"
                )
        else:
            self.stdout.write(f"CRLs signed: {crl_refresh_due()}")
