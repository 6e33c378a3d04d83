import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from uzart.errors import UzartError
from uzart.pki.importing import import_plan, import_rows_from_file
from uzart.pki.services import certificate_import


class Command(BaseCommand):
    help = (
        "Import existing certificates from a CSV file (inn,email,surname,given_name,patronymic,position,"
        "certificate[,role,storage]) or a PEM bundle. Every row is checked first; if any row is bad, "
        "the bad rows are listed with their line numbers and nothing is imported."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file only.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")

    def handle(self, *args: Any, file: Path, dry_run: bool, no_progress: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            rows = import_rows_from_file(file)
        except UzartError as exc:
            raise CommandError(f"{file}: {exc}") from None
        with tqdm(total=len(rows), desc="checking", unit="row", file=sys.stderr, disable=no_progress) as bar:
            plans, problems = import_plan(rows, progress=bar.update)
        if problems:
            for problem in problems:
                self.stderr.write(f"{file.name}: {problem}")
            raise CommandError(
                f"{len(problems)} bad row(s) of {len(rows)}; nothing was imported. Fix them and run again."
            )
        if dry_run:
            self.stdout.write(f"{len(plans)} certificate(s) can be imported (dry run, nothing written).")
            return
        with tqdm(
            total=len(plans), desc="importing", unit="row", file=sys.stderr, disable=no_progress
        ) as bar:
            try:
                recorded = certificate_import(plans=plans, progress=bar.update)
            except UzartError as exc:  # the database changed since the check; nothing was written
                raise CommandError(f"{exc} Nothing was imported.") from None
        self.stdout.write(f"Imported {len(recorded)} certificate(s).")
