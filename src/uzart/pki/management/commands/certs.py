from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uzart.accounts.models import User
from uzart.pki.errors import NoActiveCertificate
from uzart.pki.selectors import certificate_active_for


class Command(BaseCommand):
    help = "Holder certificates. 'uzart certs export --email EMAIL' prints the holder's certificate in force (PEM)."

    def add_arguments(self, parser: Any) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        export = subcommands.add_parser("export", help="Print the holder's certificate in force as PEM.")
        export.add_argument("--email", required=True)

    def handle(self, *args: Any, subcommand: str, email: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        certificate = certificate_active_for(user=user) if user is not None else None
        if certificate is None:
            raise CommandError(str(NoActiveCertificate(email=email)))
        self.stdout.write(certificate.pem(), ending="")
