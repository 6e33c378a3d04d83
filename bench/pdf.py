"""Request PDF rendering: the font parsed once per process (Uzart) against fpdf2's add_font per document.

Run: .venv/bin/python -m bench.pdf [--rounds N]
Prints per-document medians, then ``ratio=<cached/uncached>`` as the last line (lower is better).
Also shows what signing costs when the signature room is computed instead of estimated by a dry run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uzart.settings_test")


def _median_ms(function: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.signing.pki import SmallCA
    from uzart.signing import pades
    from uzart.signing.documents import RenewalRequestText, render_request_pdf

    text = RenewalRequestText(
        full_name="Проверкина Проверка Проверковна",
        position="Руководитель",
        company_name="ОсОО «Тест»",
        company_inn="07777777777777",
        new_expiry=dt.date(2027, 3, 22),
        operator_name="ОсОО «DosTek group»",
        csr_fingerprint="3f" * 32,
        request_number="2026-000123",
        created_at=dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC),
    )

    start = time.perf_counter()
    render_request_pdf(text)
    first_ms = (time.perf_counter() - start) * 1000
    render_request_pdf(text, reuse_font=False)  # warm imports of the uncached path too

    cached = _median_ms(lambda: render_request_pdf(text), args.rounds)
    uncached = _median_ms(lambda: render_request_pdf(text, reuse_font=False), args.rounds)

    ca = SmallCA.create()
    key = ec.generate_private_key(ec.SECP256R1())
    cert = ca.issue(key.public_key())
    pdf = render_request_pdf(text)
    sign = _median_ms(
        lambda: pades.pdf_sign_with_private_key(
            pdf=pdf, signer_cert=cert, chain=ca.chain, private_key=key, reason="bench"
        ),
        args.rounds,
    )
    signed = pades.pdf_sign_with_private_key(
        pdf=pdf, signer_cert=cert, chain=ca.chain, private_key=key, reason="bench"
    )
    validate = _median_ms(lambda: pades.pdf_validate(pdf=signed, trust_roots=[ca.root]), args.rounds)

    print(f"rounds={args.rounds} (medians, ms per document)")
    print(f"first document in the process (parses and cuts the font once): {first_ms:.1f}")
    print(f"render, shared font:           {cached:.1f}")
    print(f"render, fpdf2 add_font:        {uncached:.1f}")
    print(f"sign PAdES-B-B (one signature): {sign:.1f}")
    print(f"validate:                       {validate:.1f}")
    print(f"ratio={cached / uncached:.2f}")


if __name__ == "__main__":
    main()
