"""The full remote-renewal submit against the raw library cost of the same document work.

Full: ``renewal_submit`` — PIN check, new key pair in the keystore, CSR, request PDF, PAdES signature with
the current cloud key, validation of what was signed, and the one transaction (debit, request, audit,
notification). Raw: fpdf2 render + pyHanko sign with an in-memory key + pyHanko validate.
Both run alternately in the same process on the same machine; medians are compared.
It also counts the Argon2id runs (the PIN KDF) of the full submits, at argon2-cffi's binding; the raw
baseline has no PIN and runs none.

Run: .venv/bin/python -m bench.submit [--rounds N] [--kdf production|minimal]
(add DATABASE_URL=postgres://... to run on PostgreSQL). The last line is ``ratio=<full/raw>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uzart.settings_test")
os.environ.setdefault("UZART_DATA_DIR", tempfile.mkdtemp(prefix="uzart-bench-"))

PRODUCTION_KDF = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 1}
MINIMAL_KDF = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
PIN = "246810"


def _count_argon2_runs() -> list[str]:
    """Record every Argon2id computation (derivation, new verifier or check) from now on."""
    import argon2.low_level

    runs: list[str] = []
    lib = argon2.low_level.lib

    class Counting:
        def __getattr__(self, name: str) -> Any:
            value = getattr(lib, name)
            if name not in {"argon2_hash", "argon2_verify"}:
                return value

            def counted(*call_args: Any) -> Any:
                runs.append(name)
                return value(*call_args)

            return counted

    argon2.low_level.lib = Counting()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--kdf", choices=["production", "minimal"], default="production")
    args = parser.parse_args()

    import django

    django.setup()
    import time_machine
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.KEYSTORE_KDF = PRODUCTION_KDF if args.kdf == "production" else MINIMAL_KDF

    from tests.factories import CompanyFactory, holder
    from tests.signing.pki import SmallCA
    from uzart import clock
    from uzart.billing.models import LedgerEntry, Tariff
    from uzart.billing.services import ledger_topup, tariff_create
    from uzart.pki.services import ca_init, certificate_enrol
    from uzart.renewals.services import renewal_submit
    from uzart.signing import pades
    from uzart.signing.documents import RenewalRequestText, render_request_pdf

    with time_machine.travel(clock.now() - dt.timedelta(days=800), tick=False):
        ca_init(organization="ОсОО «Бенч Оператор»")
    tariff_create(
        service=Tariff.Service.REMOTE_RENEWAL, role=None, price=151_000, effective_from=dt.date(2020, 1, 1)
    )
    company = CompanyFactory(legal_name="ОсОО «Тест»")
    ledger_topup(
        company=company, amount=10**12, idempotency_key="bench", method=LedgerEntry.Method.BANK_TRANSFER,
        document_number="B-1",
    )  # fmt: skip
    holders = []
    not_after = (clock.now() + dt.timedelta(days=20)).replace(microsecond=0)
    for i in range(args.rounds + 1):
        user = holder(company=company, email=f"bench{i}@test.example", role="signer")
        certificate_enrol(
            user=user,
            company=company,
            pin=PIN,
            not_before=not_after - dt.timedelta(days=365),
            not_after=not_after,
        )
        holders.append(user)

    small_ca = SmallCA.create()
    raw_key = ec.generate_private_key(ec.SECP256R1())
    raw_cert = small_ca.issue(raw_key.public_key())

    def raw(i: int) -> None:
        text = RenewalRequestText(
            full_name="Проверкина Проверка Проверковна", position="Руководитель", company_name="ОсОО «Тест»",
            company_inn="07777777777777", new_expiry=dt.date(2027, 12, 17), operator_name="ОсОО «Бенч»",
            csr_fingerprint="3f" * 32, request_number=f"261127-{i:05d}", created_at=clock.now(),
        )  # fmt: skip
        signed = pades.pdf_sign_with_private_key(
            pdf=render_request_pdf(text), signer_cert=raw_cert, chain=small_ca.chain, private_key=raw_key,
            reason="bench",
        )  # fmt: skip
        assert pades.pdf_validate(pdf=signed, trust_roots=[small_ca.root]).bottom_line

    kdf_runs = _count_argon2_runs()

    def full(i: int) -> None:
        _request, created = renewal_submit(
            user=holders[i], pin=PIN, idempotency_key=f"bench-submit-{i:08d}", details_confirmed=True
        )
        assert created

    full(args.rounds)  # warm-up of both paths (imports, font, first queries)
    raw(args.rounds)
    full_ms, raw_ms = [], []
    kdf_runs.clear()
    for i in range(args.rounds):
        start = time.perf_counter()
        full(i)
        full_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        raw(i)
        raw_ms.append((time.perf_counter() - start) * 1000)

    full_median, raw_median = statistics.median(full_ms), statistics.median(raw_ms)
    print(f"database={connection.vendor} kdf={args.kdf} {settings.KEYSTORE_KDF} rounds={args.rounds}")
    print(f"Argon2id runs per full submit: {len(kdf_runs) / args.rounds:g}")
    print(f"full submit median: {full_median:.1f} ms (min {min(full_ms):.1f})")
    print(f"raw render+sign+validate median: {raw_median:.1f} ms (min {min(raw_ms):.1f})")
    print(f"ratio={full_median / raw_median:.2f}")


if __name__ == "__main__":
    main()
