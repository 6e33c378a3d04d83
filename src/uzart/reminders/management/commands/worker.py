import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from uzart.outbox.services import delivery_send_due
from uzart.pki.services import crl_refresh_due
from uzart.reminders.services import operator_summary_send, reminder_sweep

logger = logging.getLogger("uzart.worker")


# Every --interval seconds, each step on its own: one failing (no CA PIN, say) never stops the others.
PERIODIC: tuple[tuple[str, Callable[[], object]], ...] = (
    ("reminder sweep", reminder_sweep),
    ("operator summary", operator_summary_send),
    ("CRL refresh", crl_refresh_due),
)


def _run(name: str, step: Callable[[], object]) -> None:
    try:
        step()
    except Exception:
        logger.exception("worker step %r failed; it runs again on the next pass", name)


def _refresh_connections() -> None:
    """Drop broken or expired database connections between passes (never inside a transaction)."""
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the background worker: the django-tasks database queue, the e-mail/SMS deliveries with retries, "
        "and every --interval seconds the reminder sweep, the operator's daily summary and the CRL refresh. "
        "Stops cleanly on SIGTERM or Ctrl+C."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=300.0, help="Seconds between sweeps (default 300)."
        )
        parser.add_argument(
            "--poll", type=float, default=2.0, help="Seconds between queue checks (default 2)."
        )
        parser.add_argument(
            "--queue-name", default="*", help="django-tasks queues to run, comma-separated; * for all."
        )
        parser.add_argument(
            "--once", action="store_true", help="Do one pass (sweep, deliveries, queue) and stop."
        )

    def handle(
        self,
        *args: Any,
        interval: float,
        poll: float,
        queue_name: str,
        once: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        if verbosity < 2:
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        stop = threading.Event()
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        queue = Worker(
            queue_names=queue_name.split(","),
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        ) if isinstance(backend, DatabaseBackend) else None  # fmt: skip

        def shutdown(signum: int, frame: FrameType | None) -> None:
            logger.info("received %s, stopping after the current step", signal.strsignal(signum))
            stop.set()
            if queue is not None:
                queue.running = False

        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
        self.stdout.write(f"Uzart worker started (sweep every {interval:g} s, queue check every {poll:g} s)")
        self.stdout.flush()
        next_sweep = 0.0
        while not stop.is_set():
            _refresh_connections()
            if time.monotonic() >= next_sweep:
                for name, step in PERIODIC:
                    if not stop.is_set():
                        _run(name, step)
                next_sweep = time.monotonic() + interval
            if not stop.is_set():
                _run("deliveries", delivery_send_due)
            if queue is not None and not stop.is_set():
                queue.running = True
                _run("task queue", queue.run)
            if once:
                break
            stop.wait(poll)
        _refresh_connections()
        self.stdout.write("Uzart worker stopped")
