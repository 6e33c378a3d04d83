"""Shared fixtures. Skips for missing system parts become failures when UZART_REQUIRE_ALL=1 (CI)."""

from __future__ import annotations

import os
import shutil

import pytest

from uzart.web.catalogues import catalogues_compile

REQUIRE_ALL = os.environ.get("UZART_REQUIRE_ALL") == "1"


def require_system_part(available: bool, what: str) -> None:
    """Skip a test when a system part is missing on a laptop; fail instead in CI."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{what} is required in CI (UZART_REQUIRE_ALL=1) but is missing")
    pytest.skip(f"{what} is not installed")


def require_executable(name: str, package: str) -> str:
    path = shutil.which(name)
    require_system_part(path is not None, f"{name} (Debian package {package})")
    assert path is not None
    return path


def pytest_sessionstart(session: pytest.Session) -> None:
    catalogues_compile()


@pytest.fixture(scope="session", autouse=True)
def _keystore_kek_file(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The test session seals cloud keys under its own key-encryption key, made on first use."""
    from django.test import override_settings

    with override_settings(KEYSTORE_KEK_FILE=str(tmp_path_factory.mktemp("keystore") / "keystore.kek")):
        yield


@pytest.fixture(autouse=True)
def _english_by_default(settings):  # type: ignore[no-untyped-def]
    """Tests read English unless they ask for another language."""
    from django.utils import translation

    with translation.override("en"):
        yield
