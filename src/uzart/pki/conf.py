"""The certificate authority's fixed choices and where its settings come from."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

ROOT_LIFETIME_YEARS = 20
ISSUING_LIFETIME_YEARS = 10
# A CRL is valid for two days and refreshed once less than one day is left (see crl_refresh_due).
CRL_LIFETIME = dt.timedelta(days=2)
CRL_REFRESH_MARGIN = dt.timedelta(days=1)
OCSP_RESPONSE_LIFETIME = dt.timedelta(hours=1)
SERIAL_BITS = 159
COUNTRY = "KG"
# Subject organizationIdentifier (2.5.4.97): ETSI EN 319 412-1 style "NTR" + country + "-" + INN.
ORGANIZATION_IDENTIFIER_PREFIX = "NTRKG-"
# X.520 / RFC 5280 upper bounds for the attributes we fill.
UB_COMMON_NAME = 64
UB_ORGANIZATION_NAME = 64
UB_TITLE = 64
# A fixed PIN (the keystore wants 6 to 12 digits) for the CA keys of the test suite only.
TEST_CA_PIN = "314159265358"


def ca_pin() -> str:
    """Return the PIN of the CA keys: UZART_CA_PIN, or a generated one in demo and test mode."""
    configured = getattr(settings, "CA_PIN", "")
    if configured:
        return str(configured)
    if getattr(settings, "TESTING", False):
        return TEST_CA_PIN
    if getattr(settings, "DEMO", False):
        return _demo_pin(Path(settings.DATA_DIR) / "ca.pin")
    raise ImproperlyConfigured(
        "UZART_CA_PIN is not set: the certificate authority cannot sign. Set it in the environment."
    )


def _demo_pin(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(f"{secrets.randbelow(10**12):012d}")
    return path.read_text().strip()


def public_url(view_name: str, **kwargs: str) -> str:
    """Return the absolute public URL of a pki view (for certificate and CRL extensions)."""
    return str(settings.PUBLIC_BASE_URL).rstrip("/") + reverse(f"pki:{view_name}", kwargs=kwargs or None)
