"""Helpers for the keystore tests; the backend fixtures live in tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.factories import holder
from tests.keystore.probes import keystore_probe  # noqa: F401 - a fixture for this folder

PIN = "246810"
WRONG_PIN = "135790"


@pytest.fixture
def owner(db):  # type: ignore[no-untyped-def]
    return holder()


@pytest.fixture
def make_key(owner, keystore_backend):  # type: ignore[no-untyped-def]
    """Generate a key of the owner on the backend under test."""
    from uzart.keystore.services import key_generate

    def make(algorithm: str = "ec-p256", pin: str = PIN, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("owner", owner)
        return key_generate(
            pin=pin, label="Test EDS", algorithm=algorithm, backend=keystore_backend, **kwargs
        )

    return make
