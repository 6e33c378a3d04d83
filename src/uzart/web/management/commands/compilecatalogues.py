from typing import Any

from django.core.management.base import BaseCommand

from uzart.web.catalogues import catalogues_compile


class Command(BaseCommand):
    help = "Compile Uzart's translation catalogues (.po to .mo); needs no GNU gettext."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Recompile even when up to date.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        written = catalogues_compile(force=force)
        self.stdout.write(f"compiled {len(written)} catalogue(s)")
