"""Time the reminder sweep over fleets of 10,000 and 1,000,000 certificates with the same 1,000 due.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uzart .venv/bin/python bench/sweep.py

It makes a throwaway database beside the one in DATABASE_URL (``<name>_sweepbench``, dropped at the
end), migrates it, and bulk-loads the fleet with COPY (PostgreSQL) or bulk_create in batches. Only the
1,000 due certificates expire within the reminder window; the rest expired up to two years ago or
expire after the window, as in a real fleet between two sweeps. The expired ones carry the history a
running system leaves: two handled reminders each, and for every other one an issued renewal request
and a successor among the unexpired certificates.
Each sweep is timed from a clean outbox after a warm-up (best of ``--runs``); the last line is
``ratio=<t(1M)/t(10k)>``. The goal is <= 1.5: the sweep reads an indexed range of ``not_after``, so
its cost follows the due certificates, not the fleet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ["UZART_MODE"] = "test"
os.environ["DJANGO_SETTINGS_MODULE"] = "uzart.settings_test"
os.environ.setdefault("LOG_LEVEL", "WARNING")
_KEK_DIR = tempfile.TemporaryDirectory(prefix="uzart-bench-")
os.environ["UZART_KEK_FILE"] = str(Path(_KEK_DIR.name) / "keystore.kek")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from tqdm import tqdm  # noqa: E402

from uzart import clock  # noqa: E402
from uzart.accounts.models import Company, User  # noqa: E402
from uzart.keystore.services import key_generate  # noqa: E402
from uzart.pki.models import Certificate  # noqa: E402
from uzart.pki.services import ca_init  # noqa: E402
from uzart.reminders.services import reminder_sweep  # noqa: E402
from uzart.renewals.models import RenewalRequest  # noqa: E402

COLUMNS = (
    "owner_id", "company_id", "key_id", "storage", "issuer_id", "serial", "der", "common_name", "position",
    "email", "spki_sha256", "not_before", "not_after", "revoked_at", "revocation_reason", "predecessor_id",
    "created_at",
)  # fmt: skip
CHUNK = 20_000
FAKE_DER = b"\x30\x03\x02\x01\x00"  # the sweep never reads the certificate itself


class Fleet:
    """The rows every certificate shares, and a serial counter."""

    def __init__(self, *, now: dt.datetime, owners: list[int], company: int, key: int, issuer: int) -> None:
        self.now = now
        self.owners = owners  # the holders of the due certificates
        self.quiet_owners: list[int] = []  # one holder per two other certificates
        self.company = company
        self.key = key
        self.issuer = issuer
        self.serial = 0
        self.random = random.Random(20261127)

    def row(self, owner: int, not_after: dt.datetime) -> tuple[object, ...]:
        self.serial += 1
        return (
            owner, self.company, self.key, "cloud", self.issuer, f"be{self.serial:x}", FAKE_DER,
            f"Holder {self.serial}", "", "", "0" * 64, not_after - dt.timedelta(days=365), not_after, None, "",
            None, self.now,
        )  # fmt: skip

    def due(self, count: int) -> Iterator[tuple[object, ...]]:
        """Certificates expiring within the next 30 days: every one has a reminder due."""
        for index in range(count):
            minutes = self.random.randrange(60, 30 * 24 * 60)
            yield self.row(self.owners[index % len(self.owners)], self.now + dt.timedelta(minutes=minutes))

    def quiet(self, count: int) -> Iterator[tuple[object, ...]]:
        """Certificates outside the window: expired up to two years ago, or expiring in 32 days to two years."""
        for _ in range(count):
            if self.random.random() < 0.5:
                days = -self.random.uniform(1, 730)
            else:
                days = self.random.uniform(32, 730)
            owner = self.quiet_owners[self.random.randrange(len(self.quiet_owners))]
            yield self.row(owner, self.now + dt.timedelta(days=days))


def load_holders(count: int, *, first: int) -> list[int]:
    """Add ``count`` holders (COPY on PostgreSQL) and return their ids."""
    before = User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    emails = (f"q{first + index}@bench.example" for index in range(count))
    if connection.vendor == "postgresql":
        columns = (
            "password, is_superuser, email, surname, given_name, patronymic, phone, preferred_language, "
        )
        columns += "staff_role, is_active, date_joined"
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY accounts_user ({columns}) FROM STDIN") as copy,
        ):
            for email in emails:
                copy.write_row(("!", False, email, "Bench", "Holder", "", "", "ru", "", True, clock.now()))
    else:
        users = (User(email=email, surname="Bench", given_name="Holder", password="!") for email in emails)
        User.objects.bulk_create(users, batch_size=CHUNK)
    return list(User.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))


def load(rows: Iterator[tuple[object, ...]], count: int, label: str) -> None:
    """Bulk-load certificate rows: COPY on PostgreSQL, bulk_create in batches elsewhere."""
    with tqdm(total=count, unit="cert", unit_scale=True, desc=label, file=sys.stderr) as progress:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                copy_sql = f"COPY pki_certificate ({', '.join(COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for index, row in enumerate(rows, start=1):
                        copy.write_row(row)
                        if index % CHUNK == 0:
                            progress.update(CHUNK)
            progress.update(count - progress.n)
        else:
            batch: list[Certificate] = []
            for row in rows:
                batch.append(Certificate(**dict(zip(COLUMNS, row, strict=True))))
                if len(batch) == CHUNK:
                    Certificate.objects.bulk_create(batch)
                    progress.update(len(batch))
                    batch = []
            Certificate.objects.bulk_create(batch)
            progress.update(len(batch))


def _renewal_history_sql() -> str:
    """INSERT ... SELECT of an issued renewal request for every other expired certificate."""
    values = {
        "idempotency_key": "'bench-' || c.id", "certificate_id": "c.id", "holder_id": "c.owner_id",
        "company_id": "c.company_id", "channel": "'remote'", "status": "'issued'", "urgent": "false",
        "full_name": "''", "position": "''", "company_name": "''", "company_inn": "''", "changed_details": "''",
        "old_not_after": "c.not_after", "last_day_to_send": "CAST(c.not_after AS DATE)",
        "new_not_before": "c.not_after", "new_not_after": "c.not_after", "price": "0", "payment_method": "''",
        "csr_fingerprint": "''", "submitted_at": "c.not_before", "paper_reference": "''", "reject_reason": "''",
    }  # fmt: skip
    required = {f.column for f in RenewalRequest._meta.concrete_fields if not f.null and not f.primary_key}
    missing = required - set(values)
    if missing:
        raise SystemExit(f"bench/sweep.py: fill the new renewal request columns {sorted(missing)}")
    columns = ", ".join(values)
    return (
        f"INSERT INTO renewals_renewalrequest ({columns}) SELECT {', '.join(values.values())} "
        "FROM pki_certificate c WHERE c.id > %s AND c.not_after < %s AND c.id %% 2 = 0"
    )


def add_history(*, after_id: int, now: dt.datetime) -> None:
    """What a year of running leaves: reminders handled and issued renewals of the expired certificates."""
    with connection.cursor() as cursor:
        for kind, threshold in (("reminder.expiry", 30), ("reminder.expiry_day", 0)):
            cursor.execute(
                "INSERT INTO reminders_remindersent (certificate_id, kind, threshold, outcome, at) "
                "SELECT id, %s, %s, 'sent', not_before FROM pki_certificate WHERE id > %s AND not_after < %s",
                [kind, threshold, after_id, now],
            )
        cursor.execute(_renewal_history_sql(), [after_id, now])
        # ... and those that expired over a month ago (their new-EDS notices went out long since) have a
        # successor among the unexpired ones.
        cursor.execute(
            "WITH old AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM pki_certificate "
            "             WHERE id > %s AND not_after < %s AND id %% 2 = 0), "
            "     new AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM pki_certificate "
            "             WHERE id > %s AND not_after > %s) "
            "UPDATE pki_certificate SET predecessor_id = old.id FROM old JOIN new ON old.n = new.n "
            "WHERE pki_certificate.id = new.id",
            [after_id, now - dt.timedelta(days=30), after_id, now + dt.timedelta(days=31)],
        )
        # Fresh statistics for every table, as autovacuum keeps them in production.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def reset_outbox(now: dt.datetime) -> None:
    """Forget what the previous sweep wrote (the history stays)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reminders_remindersent WHERE at >= %s", [now])
        cursor.execute("DELETE FROM outbox_delivery")
        cursor.execute("DELETE FROM outbox_notification")


def time_sweep(runs: int, due: int, now: dt.datetime) -> list[float]:
    """Seconds of each sweep after one untimed warm-up, each from an empty outbox; each sends ``due``."""
    timings = []
    for run in range(runs + 1):
        reset_outbox(now)
        started = time.perf_counter()
        report = reminder_sweep()
        if run:
            timings.append(time.perf_counter() - started)
        if (report.sent, report.new_eds_active) != (due, 0):
            raise SystemExit(
                f"the sweep sent {report.sent} reminders and {report.new_eds_active} notices, expected {due}"
            )
    return timings


def setup_people(due: int) -> Fleet:
    reverse("web:home")  # load the URL configuration now, not inside the first timed sweep
    _root, issuing, _created = ca_init(organization="Uzart bench")
    company = Company.objects.create(inn="09999999999999", legal_name="Bench LLC", legal_form="llc")
    users = User.objects.bulk_create(
        User(email=f"holder{i}@bench.example", surname="Bench", given_name=str(i), password="!")
        for i in range(due)
    )
    key = key_generate(owner=users[0], pin="135792", label="bench", algorithm="ec-p256")
    return Fleet(
        now=clock.now(), owners=[u.pk for u in users], company=company.pk, key=key.pk, issuer=issuing.pk
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10000,1000000", help="fleet sizes, ascending (default 10000,1000000)"
    )
    parser.add_argument(
        "--due", type=int, default=1000, help="certificates due in every fleet (default 1000)"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="sweeps timed per fleet after a warm-up; the best counts (default 5)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    settings_dict = connection.settings_dict
    settings_dict.setdefault("TEST", {})["NAME"] = f"{settings_dict['NAME']}_sweepbench"
    original_name = settings_dict["NAME"]
    if connection.vendor == "sqlite":
        Path(original_name).parent.mkdir(parents=True, exist_ok=True)
    print(f"database: {connection.vendor}, throwaway copy {settings_dict['TEST']['NAME']}", file=sys.stderr)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    results: dict[int, float] = {}
    try:
        # Delivery is not part of the sweep: the task it enqueues is only recorded.
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
            fleet = setup_people(args.due)
            load(fleet.due(args.due), args.due, "due certificates")
            loaded = args.due
            for size in sizes:
                last_id = Certificate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                fleet.quiet_owners += load_holders((size - loaded + 1) // 2, first=len(fleet.quiet_owners))
                load(fleet.quiet(size - loaded), size - loaded, f"fleet of {size:,}")
                add_history(after_id=last_id, now=fleet.now)
                loaded = size
                timings = time_sweep(args.runs, args.due, fleet.now)
                results[size] = min(timings)
                runs = ", ".join(f"{t:.3f}" for t in timings)
                print(
                    f"fleet={size} due={args.due} sweep best={results[size]:.3f}s runs=[{runs}]", flush=True
                )
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)
    print(f"ratio={results[sizes[-1]] / results[sizes[0]]:.2f}")


if __name__ == "__main__":
    main()
