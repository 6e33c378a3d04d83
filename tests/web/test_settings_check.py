"""Production refuses to start without its settings; demo generates and keeps a secret key."""

from __future__ import annotations

import os
import subprocess
import sys


def _run_settings(env_overrides: dict[str, str], cwd) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG"}
    }
    env.pop("UZART_MODE", None)
    env.update(env_overrides)
    code = "import uzart.settings as s; print('DEBUG', s.DEBUG); print('KEY', len(s.SECRET_KEY))"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start_naming_what_is_missing(tmp_path):
    result = _run_settings({"UZART_DATA_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0
    assert "refuses to start in production without: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL" in result.stderr


def test_production_refuses_debug(tmp_path):
    result = _run_settings(
        {
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "uzart.example",
            "DATABASE_URL": "postgres://u@127.0.0.1/x",
            "DEBUG": "true",
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_with_its_settings_starts_with_debug_off(tmp_path):
    result = _run_settings(
        {
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "uzart.example",
            "DATABASE_URL": "postgres://u@127.0.0.1/x",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_demo_generates_a_secret_key_once_and_keeps_it(tmp_path):
    env = {"UZART_MODE": "demo", "UZART_DATA_DIR": str(tmp_path)}
    first = _run_settings(env, tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = _run_settings(env, tmp_path)
    assert second.returncode == 0
    assert key_file.read_text() == key
    assert "DEBUG True" in first.stdout
