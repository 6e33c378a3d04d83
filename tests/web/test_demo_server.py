"""`uzart demo` starts a real server whose login page speaks Kyrgyz, Russian and English."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

UZART = str(Path(sys.executable).with_name("uzart"))

EXPECTED_HEADINGS = {
    "ky": "Uzart системасына кирүү",
    "ru": "Вход в Uzart",
    "en": "Log in to Uzart",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str, cookie: str = "", accept_language: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", cookie)
    if accept_language:
        request.add_header("Accept-Language", accept_language)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def demo_server(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "UZART_MODE", "DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
    }
    env.update({"PORT": str(port), "UZART_DATA_DIR": str(tmp_path / "data")})
    log = (tmp_path / "demo.log").open("w+")
    process = subprocess.Popen(
        [UZART, "demo"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _fetch(base + "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail("the demo server did not start:\n" + log.read())
                time.sleep(0.25)
        log.seek(0)
        yield base, log.read()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_demo_prints_url_and_logins_and_serves_the_login_page_in_each_language(demo_server):
    base, output = demo_server
    assert f"{base}/" in output
    assert "specialist@demo.example" in output
    assert "admin@demo.example" in output
    assert "uzart-demo-2026" in output
    for language, heading in EXPECTED_HEADINGS.items():
        status, html = _fetch(base + "/login/", cookie=f"uzart_language={language}")
        assert status == 200
        assert f'<html lang="{language}">' in html
        assert heading in html
    # Without a cookie, the browser's Accept-Language decides; Russian is the default.
    assert EXPECTED_HEADINGS["ky"] in _fetch(base + "/login/", accept_language="ky")[1]
    assert EXPECTED_HEADINGS["ru"] in _fetch(base + "/login/")[1]
    status, css = _fetch(base + "/static/web/uzart.css")
    assert status == 200 and "--brand" in css
