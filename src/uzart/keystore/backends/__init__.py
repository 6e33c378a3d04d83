"""Keystore backends, configured like Django's CACHES in ``settings.KEYSTORE_BACKENDS``.

``get_backend(alias)`` returns one instance per alias and process; changing the setting (tests do)
drops the instances.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from uzart.keystore.backends.base import KeystoreBackend
from uzart.keystore.errors import KeystoreUnavailable

logger = logging.getLogger(__name__)

_instances: dict[str, KeystoreBackend] = {}
_lock = threading.Lock()

__all__ = ["KeystoreBackend", "backend_aliases", "get_backend", "reset_backends"]


def backend_aliases() -> list[str]:
    """The configured aliases."""
    return list(getattr(settings, "KEYSTORE_BACKENDS", {}))


def get_backend(alias: str = "default") -> KeystoreBackend:
    """The backend configured under ``alias``, created once per process."""
    backend = _instances.get(alias)
    if backend is not None:
        return backend
    with _lock:
        backend = _instances.get(alias)
        if backend is None:
            config: dict[str, Any] | None = getattr(settings, "KEYSTORE_BACKENDS", {}).get(alias)
            if config is None:
                logger.error("keystore backend %r is not configured", alias)
                raise KeystoreUnavailable()
            backend_class = import_string(config["BACKEND"])
            backend = backend_class(alias, **config.get("OPTIONS", {}))
            _instances[alias] = backend
    return backend


def reset_backends() -> None:
    """Close and forget every backend instance (the next call creates them afresh)."""
    with _lock:
        for backend in _instances.values():
            try:
                backend.close()
            except Exception:  # a broken session must not stop the others from closing
                logger.exception("closing keystore backend %r failed", backend.alias)
        _instances.clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"KEYSTORE_BACKENDS", "KEYSTORE_KEK_FILE", "KEYSTORE_KDF"}:
        reset_backends()
