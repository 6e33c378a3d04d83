import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uzart.renewals.models import RenewalRequest


class Command(BaseCommand):
    help = "Renewal tools. 'uzart renewals export-pdf NUMBER > file.pdf' writes a request's signed PDF to stdout."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export-pdf", help="Write the signed request PDF to stdout.")
        export.add_argument("number")

    def handle(self, *args: Any, action: str, number: str, **options: Any) -> None:
        request = RenewalRequest.objects.filter(number=number.strip()).first()
        if request is None:
            raise CommandError(f"No renewal request numbered {number!r}.")
        if not request.signed_pdf:
            raise CommandError(f"Request {request.number} has no signed PDF (it was not signed remotely).")
        if sys.stdout.isatty():
            raise CommandError("Refusing to write a PDF to a terminal; redirect the output to a file.")
        sys.stdout.buffer.write(bytes(request.signed_pdf))
        sys.stdout.flush()
