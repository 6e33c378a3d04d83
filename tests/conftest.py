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


# Compile the catalogues before Django can load any of them (a fresh checkout has no .mo files).
catalogues_compile()


@pytest.fixture(scope="session", autouse=True)
def _keystore_kek_file(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The test session seals cloud keys under its own key-encryption key, made on first use."""
    from django.test import override_settings

    with override_settings(KEYSTORE_KEK_FILE=str(tmp_path_factory.mktemp("keystore") / "keystore.kek")):
        yield


SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
KEYSTORE_DB = {"BACKEND": "uzart.keystore.backends.encrypted_db.EncryptedDatabaseBackend", "OPTIONS": {}}


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A fresh SoftHSM2 token for this test session; returns the OPTIONS of a PKCS#11 keystore backend."""
    import subprocess
    from pathlib import Path

    util = require_executable("softhsm2-util", "softhsm2")
    module = next((path for path in SOFTHSM_MODULES if Path(path).exists()), None)
    require_system_part(module is not None, "libsofthsm2.so (Debian package softhsm2)")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    options = {"module": module, "token_label": "uzart-test", "user_pin": "test-user-pin-1"}
    subprocess.run(
        [
            util,
            "--init-token",
            "--free",
            "--label",
            options["token_label"],
            "--pin",
            options["user_pin"],
            "--so-pin",
            "test-so-pin-1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    from uzart.keystore.backends.pkcs11 import library_reload

    library_reload(module)  # the library may have been loaded with another SOFTHSM2_CONF
    return options


@pytest.fixture(params=["default", "hsm"])
def keystore_backend(request, settings):  # type: ignore[no-untyped-def]
    """Run the test on each keystore; the "default" alias is served by the one under test.

    "default": the encrypted-database backend; "hsm": PKCS#11 on a SoftHSM2 token (also under "hsm").
    Returns the alias to pass as ``backend=`` (code that names no alias uses the same backend).
    """
    if request.param == "default":
        settings.KEYSTORE_BACKENDS = {"default": KEYSTORE_DB}
    else:
        hsm = {
            "BACKEND": "uzart.keystore.backends.pkcs11.PKCS11Backend",
            "OPTIONS": request.getfixturevalue("softhsm_token"),
        }
        settings.KEYSTORE_BACKENDS = {"default": hsm, "hsm": hsm, "db": KEYSTORE_DB}
    return request.param


@pytest.fixture(autouse=True)
def _english_by_default(settings):  # type: ignore[no-untyped-def]
    """Tests read English unless they ask for another language."""
    from django.utils import translation

    with translation.override("en"):
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser journeys run last: they hold an event loop in the main thread while they run."""
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
