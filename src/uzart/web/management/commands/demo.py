import os
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from uzart.web.catalogues import catalogues_compile
from uzart.web.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Run the demo: migrate the SQLite database, load demo data, serve on 127.0.0.1:$PORT."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="Prepare the database and stop.")

    def handle(self, *args: Any, port: int, no_serve: bool, **options: Any) -> None:
        catalogues_compile()
        call_command("migrate", interactive=False, verbosity=0)
        people = demo_load()
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nUzart demo is ready: {url}\n"))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        self.stdout.write("Holders then confirm with their EDS PIN, shown beside them.\n")
        for person in people:
            pin = f"PIN {person.pin}" if person.pin else ""
            self.stdout.write(
                f"  {person.email:<26} {pin:<11} {person.surname} {person.given_name} — {person.note}"
            )
        self.stdout.write("\nStop with Ctrl+C.\n")
        self.stdout.flush()
        if not no_serve:
            # The background worker (reminders, e-mails printed to this console) runs beside the server.
            worker = subprocess.Popen([sys.executable, "-m", "uzart.cli", "worker", "--interval", "60"])
            try:
                call_command("serve", host="127.0.0.1", port=port, workers=2)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
