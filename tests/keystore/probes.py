"""Probes on the real keystore: how often Argon2id runs and which keys a backend opens (unseals).

Argon2id is counted where every use of it ends up, argon2-cffi's binding (``argon2_hash`` for a
derivation or a new verifier, ``argon2_verify`` for checking one), so both backends are covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class KeystoreProbe:
    kdf_runs: int = 0
    opened: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.kdf_runs = 0
        self.opened.clear()


class _CountingArgon2:
    """Stands in for ``argon2.low_level.lib`` and counts the calls that run Argon2id."""

    def __init__(self, lib: Any, probe: KeystoreProbe) -> None:
        self._lib = lib
        self._probe = probe

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._lib, name)
        if name not in {"argon2_hash", "argon2_verify"}:
            return value

        def counted(*args: Any) -> Any:
            self._probe.kdf_runs += 1
            return value(*args)

        return counted


@pytest.fixture
def keystore_probe(monkeypatch):  # type: ignore[no-untyped-def]
    """Count Argon2id runs and the key references each backend opens with a PIN."""
    import argon2.low_level

    from uzart.keystore.backends.encrypted_db import EncryptedDatabaseBackend
    from uzart.keystore.backends.pkcs11 import PKCS11Backend

    probe = KeystoreProbe()
    monkeypatch.setattr(argon2.low_level, "lib", _CountingArgon2(argon2.low_level.lib, probe))
    for backend_class in (EncryptedDatabaseBackend, PKCS11Backend):
        original = backend_class.open

        def open_counted(self, *, key_ref, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            probe.opened.append(key_ref)
            return _original(self, key_ref=key_ref, **kwargs)

        monkeypatch.setattr(backend_class, "open", open_counted)
    return probe
