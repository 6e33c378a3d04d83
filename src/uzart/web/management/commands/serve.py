import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Uzart with gunicorn (static files by WhiteNoise)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "uzart.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
            "--access-logfile", "-", "--graceful-timeout", "5",
        ]  # fmt: skip
        try:
            raise SystemExit(subprocess.call(command))  # noqa: S603
        except KeyboardInterrupt:
            raise SystemExit(0) from None
