"""Cloud-signing API after the Cloud Signature Consortium API v1.0.4.0, as pyHanko's CSCSigner speaks it.

Credentials are the holder's cloud certificates (credential ID = certificate serial). ``credentials/
authorize`` checks the EDS PIN and returns a single-use SAD bound to the hashes it names (SCAL 2);
``signatures/signHash`` signs exactly those hashes with it. Calls authenticate with a personal API token
holding the ``sign`` scope. Errors are ``{"error": ..., "error_description": ...}`` per the CSC spec, the
description translated.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from uzart import clock
from uzart.accounts.models import User
from uzart.accounts.selectors import operator_profile_get
from uzart.api.auth import bearer_value, token_user
from uzart.api.conf import CSC_MULTISIGN
from uzart.api.errors import ScopeMissing, TooManyAttempts, Unauthenticated
from uzart.api.models import Scope
from uzart.api.present import certificate_status
from uzart.api.selectors import csc_credential_get, csc_credential_list
from uzart.api.services import csc_authorize, csc_sign_hashes
from uzart.errors import NotFound, UzartError
from uzart.keystore.errors import KeystoreUnavailable, WrongPin
from uzart.pki.models import Certificate
from uzart.pki.selectors import ca_chain

logger = logging.getLogger(__name__)

SPEC_VERSION = "1.0.4.0"
SHA256 = "2.16.840.1.101.3.4.2.1"
EC_P256 = "1.2.840.10045.3.1.7"
# Signature algorithms per key type; the first implies SHA-256, the second needs hashAlgo.
SIGN_ALGORITHMS = {
    "ec-p256": ("1.2.840.10045.4.3.2", "1.2.840.10045.2.1"),  # ecdsa-with-SHA256, ecPublicKey
    "rsa-2048": ("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.1"),  # sha256WithRSA, rsaEncryption
}
METHODS = ["credentials/list", "credentials/info", "credentials/authorize", "signatures/signHash"]
MAX_BODY_BYTES = 64 * 1024


class CscError(Exception):
    """An error answered the CSC way: HTTP status, error code, translated description."""

    def __init__(self, status: int, error: str, description: str) -> None:
        self.status, self.error, self.description = status, error, description
        super().__init__(error)


def _invalid(description: str) -> CscError:
    return CscError(400, "invalid_request", description)


def _missing(kind: str, name: str) -> CscError:
    return _invalid(_("Missing (or invalid type) %(kind)s parameter %(name)s") % {"kind": kind, "name": name})


def _error_response(error: CscError) -> JsonResponse:
    response = JsonResponse(
        {"error": error.error, "error_description": error.description}, status=error.status
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="uzart-csc"'
    return response


def _from_uzart_error(error: UzartError) -> CscError:
    """The CSC answer to an error of the domain or the API layer."""
    if isinstance(error, Unauthenticated):
        return CscError(401, "invalid_token", str(error))
    if isinstance(error, ScopeMissing):
        return CscError(403, "insufficient_scope", str(error))
    if isinstance(error, TooManyAttempts):
        return CscError(429, "too_many_requests", str(error))
    if isinstance(error, WrongPin):
        return CscError(400, "invalid_pin", str(error))
    if isinstance(error, NotFound):
        return _invalid(_("Invalid parameter credentialID"))
    if isinstance(error, KeystoreUnavailable) or error.status_code >= 500:
        return CscError(503, "temporarily_unavailable", str(error))
    return _invalid(str(error))


Handler = Callable[[HttpRequest, User | None, dict[str, Any]], dict[str, Any]]


def endpoint(*, authenticated: bool = True) -> Callable[[Handler], Callable[[HttpRequest], HttpResponse]]:
    """A CSC method: POST with a JSON object, a Bearer token with the sign scope, CSC-style errors."""

    def decorator(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest) -> HttpResponse:
            try:
                if request.method != "POST" and not (request.method == "GET" and not authenticated):
                    raise CscError(405, "invalid_request", _("Use the POST method."))
                user: User | None = None
                if authenticated:
                    raw = bearer_value(request)
                    if raw is None:
                        raise Unauthenticated()
                    user = token_user(request, raw=raw, scope=Scope.SIGN, refuse_expired=False)
                body = _json_body(request)
                result = handler(request, user, body)
            except CscError as error:
                return _error_response(error)
            except UzartError as error:
                response = _error_response(_from_uzart_error(error))
                if isinstance(error, TooManyAttempts):
                    response["Retry-After"] = str(error.retry_after)
                return response
            return JsonResponse(result)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        return view

    return decorator


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if request.method != "POST" or not request.body:
        return {}
    if len(request.body) > MAX_BODY_BYTES:
        raise _invalid(_("The request body is too large."))
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise _invalid(_("The request body must be a JSON object.")) from None
    if not isinstance(body, dict):
        raise _invalid(_("The request body must be a JSON object."))
    return body


def _string(body: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise _missing("string", name)
    return value


def _credential(user: User | None, body: dict[str, Any]) -> Certificate:
    assert user is not None
    credential_id = _string(body, "credentialID")
    assert credential_id is not None
    if len(credential_id) > 40:
        raise _invalid(_("Invalid parameter credentialID"))
    return csc_credential_get(user=user, credential_id=credential_id)


def _hashes(body: dict[str, Any]) -> list[str]:
    """The base64 SHA-256 hashes of a request, checked."""
    values = body.get("hash")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _missing("array", "hash")
    if not values:
        raise _invalid(_("Empty hash array"))
    if len(values) > CSC_MULTISIGN:
        raise _invalid(_("Numbers of signatures is too high"))
    for value in values:
        try:
            digest = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(_("Invalid Base64 hash string parameter")) from None
        if len(digest) != 32:
            raise _invalid(_("Invalid digest value length"))
    return list(values)


# --- the methods --------------------------------------------------------------------------------------


@endpoint(authenticated=False)
def info(request: HttpRequest, user: User | None, body: dict[str, Any]) -> dict[str, Any]:
    """The service: name, spec version, region, methods."""
    return {
        "specs": SPEC_VERSION,
        "name": operator_profile_get().name,
        "logo": f"{settings.PUBLIC_BASE_URL}{settings.STATIC_URL}api/logo.svg",
        "region": "KG",
        "lang": get_language() or settings.LANGUAGE_CODE,
        "description": _("Cloud EDS of the e-reporting operator's customers, kept by Uzart."),
        "authType": ["external"],
        "methods": METHODS,
    }


@endpoint()
def credentials_list(request: HttpRequest, user: User | None, body: dict[str, Any]) -> dict[str, Any]:
    """The caller's cloud credentials that have not expired."""
    assert user is not None
    user_id = body.get("userID")
    if user_id is not None and user_id != user.email:
        raise _invalid(_("Invalid parameter userID"))
    max_results = body.get("maxResults", 100)
    if not isinstance(max_results, int) or isinstance(max_results, bool) or not 1 <= max_results <= 1000:
        raise _missing("integer", "maxResults")
    page_token = body.get("pageToken", "0")
    if not isinstance(page_token, str) or not page_token.isdigit() or len(page_token) > 9:
        raise _invalid(_("Invalid parameter pageToken"))
    start = int(page_token)
    serials = list(
        csc_credential_list(user=user).values_list("serial", flat=True)[start : start + max_results + 1]
    )
    result: dict[str, Any] = {"credentialIDs": serials[:max_results]}
    if len(serials) > max_results:
        result["nextPageToken"] = str(start + max_results)
    return result


def _der_b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def _csc_time(certificate_time: Any) -> str:
    return f"{certificate_time.astimezone(clock.now().tzinfo):%Y%m%d%H%M%S}Z"


@endpoint()
def credentials_info(request: HttpRequest, user: User | None, body: dict[str, Any]) -> dict[str, Any]:
    """The credential's key, certificate (and chain), and how to authorise it (PIN, SCAL 2)."""
    certificate = _credential(user, body)
    which = body.get("certificates", "single")
    if which not in ("none", "single", "chain"):
        raise _invalid(_("Invalid parameter certificates"))
    cert_info = body.get("certInfo", False)
    auth_info = body.get("authInfo", False)
    if not isinstance(cert_info, bool) or not isinstance(auth_info, bool):
        raise _invalid(_("Invalid parameter certInfo or authInfo"))
    key = certificate.key
    assert key is not None
    public_key = certificate.x509.public_key()
    key_part: dict[str, Any] = {
        "status": "disabled" if key.is_locked else "enabled",
        "algo": list(SIGN_ALGORITHMS[key.algorithm]),
        "len": public_key.key_size
        if isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)
        else 0,
    }
    if key.algorithm == "ec-p256":
        key_part["curve"] = EC_P256
    status = certificate_status(certificate, clock.now())
    cert_part: dict[str, Any] = {
        "status": {"waiting": "valid", "in_force": "valid"}.get(status, status),
    }
    if which != "none":
        chain = [bytes(certificate.der)]
        if which == "chain":
            chain += [bytes(ca.certificate_der) for ca in ca_chain()]
        cert_part["certificates"] = [_der_b64(der) for der in chain]
    if cert_info:
        cert_part.update(
            issuerDN=certificate.x509.issuer.rfc4514_string(),
            serialNumber=certificate.serial,
            subjectDN=certificate.x509.subject.rfc4514_string(),
            validFrom=_csc_time(certificate.not_before),
            validTo=_csc_time(certificate.not_after),
        )
    result: dict[str, Any] = {
        "description": f"{certificate.common_name} — {certificate.company.legal_name}",
        "key": key_part,
        "cert": cert_part,
        "authMode": "explicit",
        "SCAL": "2",
        "multisign": CSC_MULTISIGN,
        "lang": get_language() or settings.LANGUAGE_CODE,
    }
    if auth_info:
        result["PIN"] = {
            "presence": "true",
            "format": "N",
            "label": "PIN",
            "description": _("The PIN of your EDS (6 to 12 digits)."),
        }
        result["OTP"] = {"presence": "false"}
    return result


@endpoint()
def credentials_authorize(request: HttpRequest, user: User | None, body: dict[str, Any]) -> dict[str, Any]:
    """Check the PIN and return a SAD for exactly the given hashes (SCAL 2), usable once."""
    assert user is not None
    certificate = _credential(user, body)
    count = body.get("numSignatures")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise _missing("integer", "numSignatures")
    if count > CSC_MULTISIGN:
        raise _invalid(_("Numbers of signatures is too high"))
    hash_list = _hashes(body)
    if len(hash_list) != count:
        raise _invalid(_("The number of hashes does not match numSignatures"))
    pin = _string(body, "PIN")
    assert pin is not None
    sad, lifetime = csc_authorize(user=user, certificate=certificate, pin=pin, hash_list=hash_list)
    return {"SAD": sad, "expiresIn": lifetime}


@endpoint()
def signatures_sign_hash(request: HttpRequest, user: User | None, body: dict[str, Any]) -> dict[str, Any]:
    """Sign the hashes a SAD was issued for, with the credential's cloud key."""
    assert user is not None
    certificate = _credential(user, body)
    sad = _string(body, "SAD")
    assert sad is not None
    hash_list = _hashes(body)
    key = certificate.key
    assert key is not None
    sign_algo = _string(body, "signAlgo")
    implied, plain = SIGN_ALGORITHMS[key.algorithm]
    if sign_algo not in (implied, plain):
        raise _invalid(_("Invalid parameter signAlgo"))
    if body.get("signAlgoParams") is not None:
        raise _invalid(_("Invalid parameter signAlgoParams"))
    hash_algo = _string(body, "hashAlgo", required=sign_algo == plain)
    if hash_algo is not None and hash_algo != SHA256:
        raise _invalid(_("Invalid parameter hashAlgo"))
    signatures = csc_sign_hashes(user=user, certificate=certificate, sad=sad, hash_list=hash_list)
    return {"signatures": [_der_b64(signature) for signature in signatures]}
