"""Run by test_concurrency.py in a child process: concurrent debits against a file SQLite database.

SQLite has no row locks; Uzart opens it with BEGIN IMMEDIATE (writers queue on the database lock) and
WAL. The test database of the suite lives in memory with a shared cache, where a second writer fails
at once instead of waiting, so this check runs on a real file in its own process.
Prints one JSON line with the outcome.
"""

from __future__ import annotations

import json
import os
import sys
import threading


def main(db_path: str, threads: int, covered: int, price: int) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["UZART_MODE"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "uzart.settings_test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from uzart.accounts.models import Company
    from uzart.billing.errors import InsufficientFunds
    from uzart.billing.selectors import account_balance_get
    from uzart.billing.services import ledger_debit, ledger_topup

    call_command("migrate", verbosity=0)
    company = Company.objects.create(inn="02412201910101", legal_name="ОсОО «Тоо Булак»", legal_form="llc")
    ledger_topup(
        company=company, amount=covered * price, idempotency_key="seed", method="cash", document_number="1"
    )
    connection.close()
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def debit(number: int) -> None:
        try:
            barrier.wait()
            ledger_debit(company=company, amount=price, idempotency_key=f"d{number}", memo="renewal")
            result = "ok"
        except InsufficientFunds:
            result = "insufficient"
        except Exception as exc:
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=debit, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    from io import StringIO

    out = StringIO()
    call_command("ledger", "reconcile", stdout=out)
    print(
        json.dumps(
            {
                "ok": outcomes.count("ok"),
                "insufficient": outcomes.count("insufficient"),
                "errors": [o for o in outcomes if o.startswith("error")],
                "balance": account_balance_get(company=company),
                "reconcile": out.getvalue().strip(),
                "journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
