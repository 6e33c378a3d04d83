"""Fixtures of the reminder tests: a CA and enrolled holders (from tests/pki), a real SMTP server."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import time_machine

from tests.factories import CompanyFactory, holder
from tests.pki.conftest import HOLDER_PIN, ca, company, enrol
from uzart.clock import BISHKEK

# Expiry on Monday 14 June 2027 at 12:00 Bishkek: no Kyrgyz holiday nearby, so the last day to send
# (3 working days before) is Wednesday 9 June, five calendar days before.
EXPIRY = dt.datetime(2027, 6, 14, 12, 0, tzinfo=BISHKEK)
START = dt.datetime(2027, 5, 1, 10, 0, tzinfo=BISHKEK)


def days_before(days: int, *, hour: int = 9, expiry: dt.datetime = EXPIRY) -> dt.datetime:
    """``hour`` o'clock Bishkek time, ``days`` calendar days before the expiry date."""
    day = expiry.date() - dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=BISHKEK)


@pytest.fixture
def travel() -> Iterator[time_machine.travel]:
    """Freeze the clock at START; move it with ``travel.move_to(...)``."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def certificate_for(travel, enrol):  # type: ignore[no-untyped-def]
    """Enrol a new holder (own company) whose cloud certificate ends at ``expiry``."""

    def make(*, expiry: dt.datetime = EXPIRY, language: str = "ru", **user_fields):  # type: ignore[no-untyped-def]
        company = CompanyFactory()
        user = holder(company=company, preferred_language=language, **user_fields)
        return enrol(user, company=company, not_before=START, not_after=expiry)

    return make


@dataclass
class SmtpSink:
    """What a real SMTP server on loopback received."""

    port: int
    raw: list[bytes] = field(default_factory=list)

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(data, policy=policy.default) for data in self.raw]  # type: ignore[misc]

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_smtp(sink: SmtpSink):  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    return controller


@pytest.fixture
def smtp_settings(settings):  # type: ignore[no-untyped-def]
    """Uzart sends through Django's SMTP backend to 127.0.0.1 on a free port (nothing listens yet)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return settings


@pytest.fixture
def smtp_server(smtp_settings) -> Iterator[SmtpSink]:  # type: ignore[no-untyped-def]
    """A real aiosmtpd server on the port Uzart sends to."""
    sink = SmtpSink(port=smtp_settings.EMAIL_PORT)
    controller = start_smtp(sink)
    try:
        yield sink
    finally:
        controller.stop()


__all__ = ["HOLDER_PIN", "ca", "company", "enrol"]
