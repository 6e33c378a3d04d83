"""Concurrent debits never overdraw: PostgreSQL row locks, SQLite IMMEDIATE transactions."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections

from tests.factories import CompanyFactory
from uzart.billing.errors import InsufficientFunds
from uzart.billing.models import LedgerEntry
from uzart.billing.selectors import account_balance_get
from uzart.billing.services import ledger_debit, ledger_topup

PRICE = 1_510_00


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_debits_against_twenty_prices_let_exactly_twenty_through():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    company = CompanyFactory()
    ledger_topup(
        company=company, amount=20 * PRICE, idempotency_key="seed", method="cash", document_number="1"
    )
    threads = 50
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def debit(number: int) -> None:
        try:
            barrier.wait()
            ledger_debit(company=company, amount=PRICE, idempotency_key=f"renewal:{number}", memo="renewal")
            result = "ok"
        except InsufficientFunds:
            result = "insufficient"
        except Exception as exc:
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections["default"].close()  # each thread had its own connection
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=debit, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [o for o in outcomes if o.startswith("error")] == []
    assert outcomes.count("ok") == 20
    assert outcomes.count("insufficient") == 30
    assert account_balance_get(company=company) == 0
    assert LedgerEntry.objects.filter(kind="debit").count() == 20
    out = StringIO()
    call_command("ledger", "reconcile", stdout=out)  # raises CommandError on drift
    assert "OK: 1 accounts" in out.getvalue()


def test_concurrent_debits_on_a_sqlite_file_queue_and_never_overdraw(tmp_path: Path):
    if connection.vendor != "sqlite":
        pytest.skip("checks SQLite's IMMEDIATE transactions")
    worker = Path(__file__).with_name("sqlite_concurrency_worker.py")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(worker), str(tmp_path / "uzart.sqlite3"), "12", "5", str(PRICE)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env={
            "PYTHONPATH": f"{root / 'src'}:{root}",
            "PATH": "/usr/bin:/bin",
            "UZART_DATA_DIR": str(tmp_path),
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["journal_mode"] == "wal"
    assert outcome["errors"] == []  # no "database is locked": writers waited their turn
    assert (outcome["ok"], outcome["insufficient"]) == (5, 7)
    assert outcome["balance"] == 0
    assert outcome["reconcile"].startswith("OK")
