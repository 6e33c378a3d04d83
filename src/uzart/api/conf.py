"""Limits of the API, read from settings with defaults (docs/api.md, "Limits")."""

from __future__ import annotations

from django.conf import settings

# bucket -> (attempts allowed in one window, window length in seconds)
_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "token_failure": (20, 300),  # wrong, revoked or expired tokens, per client address
    "pin": (10, 900),  # PIN steps (renewal sign, CSC authorize), per user
}
CSC_MULTISIGN = 10  # hashes one SAD may authorise


def rate_limit(bucket: str) -> tuple[int, int]:
    """(limit, window seconds) of a rate-limit bucket; ``settings.API_RATE_LIMITS`` overrides."""
    configured: dict[str, tuple[int, int]] = getattr(settings, "API_RATE_LIMITS", {})
    limit, window = configured.get(bucket, _RATE_LIMITS[bucket])
    return int(limit), int(window)


def sad_lifetime() -> int:
    """Seconds a SAD stays usable after credentials/authorize."""
    return int(getattr(settings, "CSC_SAD_SECONDS", 300))
