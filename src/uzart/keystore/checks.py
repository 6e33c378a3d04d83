"""System checks: ``uzart check --deploy`` reports a keystore that could not open keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.utils.module_loading import import_string

from uzart.keystore.errors import KeystoreUnavailable
from uzart.keystore.sealing import load_kek


@register(Tags.security, deploy=True)
def keystore_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every configured backend class imports, and the default keystore's KEK can be read."""
    problems: list[CheckMessage] = []
    backends = getattr(settings, "KEYSTORE_BACKENDS", {})
    if "default" not in backends:
        problems.append(Error("KEYSTORE_BACKENDS has no 'default' alias.", id="uzart.keystore.E001"))
    for alias, config in backends.items():
        try:
            backend_class = import_string(config["BACKEND"])
        except (ImportError, KeyError) as exc:
            problems.append(Error(f"Keystore {alias!r}: bad BACKEND ({exc}).", id="uzart.keystore.E002"))
            continue
        if backend_class.__name__ == "EncryptedDatabaseBackend":
            try:
                load_kek(config.get("OPTIONS", {}).get("kek_file"))
            except KeystoreUnavailable as exc:
                problems.append(Error(f"Keystore {alias!r}: {exc}", id="uzart.keystore.E003"))
    return problems
