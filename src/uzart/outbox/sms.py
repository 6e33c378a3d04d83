"""Sending SMS through a pluggable backend chosen by the ``SMS_BACKEND`` setting.

- ``HttpGatewayBackend``: a generic JSON-over-HTTPS gateway. It POSTs
  ``{"to": "+996...", "text": "...", "sender": "..."}`` to ``SMS_GATEWAY_URL`` with
  ``Authorization: Bearer <SMS_GATEWAY_TOKEN>``; any 2xx answer means accepted. Plain HTTP is refused
  except to a loopback address (a gateway on the same host, or a test).
- ``ConsoleBackend``: writes each message to the log, for the demo.
- ``MemoryBackend``: keeps messages in ``MemoryBackend.outbox``, for tests of other parts.

An empty ``SMS_BACKEND`` turns the SMS channel off.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The SMS could not be handed to the gateway; the message never contains the token."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class BaseSmsBackend:
    def __init__(self, **options: Any) -> None:
        self.options = options

    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Logs the message instead of sending it (demo)."""

    def send(self, message: SmsMessage) -> None:
        logger.info("SMS to %s: %s", message.to, message.text)


class MemoryBackend(BaseSmsBackend):
    """Keeps sent messages in a list (tests)."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, message: SmsMessage) -> None:
        MemoryBackend.outbox.append(message)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HttpGatewayBackend(BaseSmsBackend):
    """A generic JSON-over-HTTPS SMS gateway configured by URL and bearer token."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.url = str(options.get("url") or getattr(settings, "SMS_GATEWAY_URL", ""))
        self.token = str(options.get("token") or getattr(settings, "SMS_GATEWAY_TOKEN", ""))
        self.sender = str(options.get("sender") or getattr(settings, "SMS_SENDER", ""))
        timeout: Any = options.get("timeout") or getattr(settings, "SMS_GATEWAY_TIMEOUT", 15)
        self.timeout = float(timeout)
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise SmsError("SMS_GATEWAY_URL must be an https:// address")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise SmsError("SMS_GATEWAY_URL must use https (plain http only to a loopback address)")

    def send(self, message: SmsMessage) -> None:
        body = json.dumps({"to": message.to, "text": message.text, "sender": self.sender}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310 - scheme checked
        request.add_header("Content-Type", "application/json; charset=utf-8")
        request.add_header("Accept", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"the SMS gateway answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"the SMS gateway cannot be reached: {type(reason).__name__}") from None
        if not 200 <= status < 300:
            raise SmsError(f"the SMS gateway answered HTTP {status}")


def sms_backend() -> BaseSmsBackend | None:
    """The configured SMS backend, or None when SMS is off."""
    path = getattr(settings, "SMS_BACKEND", "")
    if not path:
        return None
    backend_class = import_string(path)
    backend: BaseSmsBackend = backend_class(**getattr(settings, "SMS_BACKEND_OPTIONS", {}))
    return backend


def sms_available() -> bool:
    """Whether an SMS backend is configured."""
    return bool(getattr(settings, "SMS_BACKEND", ""))
