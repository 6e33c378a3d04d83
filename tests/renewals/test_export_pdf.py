"""`uzart renewals export-pdf NUMBER` writes the signed PDF; pyHanko's CLI validates it outside Uzart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.renewals.conftest import PIN
from uzart.pki.selectors import ca_chain_pem
from uzart.renewals import services

pytestmark = pytest.mark.django_db(transaction=True)

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


class _Binary:
    def __init__(self) -> None:
        import io

        self.buffer = io.BytesIO()

    def isatty(self) -> bool:
        return False

    def flush(self) -> None:
        pass


def _validate_outside(pdf: Path, trust: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            PYHANKO,
            "sign",
            "validate",
            "--trust",
            str(trust),
            "--trust-replace",
            "--no-revocation-check",
            str(pdf),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_exported_pdf_validates_with_pyhanko_cli_and_a_changed_byte_fails_there_and_in_uzart(
    world, tmp_path, monkeypatch
):
    request, _ = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="e" * 32, details_confirmed=True
    )
    out = _Binary()
    monkeypatch.setattr(sys, "stdout", out)
    call_command("renewals", "export-pdf", request.number)
    monkeypatch.undo()
    exported = out.buffer.getvalue()
    assert exported == bytes(request.signed_pdf)

    # The chain as served at /pki/ca.pem: the last certificate in it is the root.
    chain = ca_chain_pem()
    root_pem = "-----BEGIN CERTIFICATE-----" + chain.split("-----BEGIN CERTIFICATE-----")[-1]
    trust = tmp_path / "root.pem"
    trust.write_text(root_pem)
    good = tmp_path / "request.pdf"
    good.write_bytes(exported)
    result = _validate_outside(good, trust)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "INTACT:TRUSTED" in result.stdout

    altered = bytearray(exported)
    spot = altered.index(b"/Contents") - 200
    altered[spot] ^= 0x01
    bad = tmp_path / "altered.pdf"
    bad.write_bytes(bytes(altered))
    result = _validate_outside(bad, trust)
    assert result.returncode != 0
    assert "INTACT:TRUSTED" not in result.stdout


def test_export_of_an_unknown_number_is_a_clear_error(world):
    with pytest.raises(CommandError, match="No renewal request numbered"):
        call_command("renewals", "export-pdf", "NOPE")
