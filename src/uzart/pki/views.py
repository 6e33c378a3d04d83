"""Public endpoints of the CA: certificate chain, CA certificates, CRLs and the OCSP responder."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from cryptography.hazmat.primitives.serialization import Encoding
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from uzart.pki import conf
from uzart.pki.selectors import ca_chain_pem, ca_get
from uzart.pki.services import crl_current, ocsp_respond

MAX_OCSP_REQUEST_BYTES = 10_000


@require_GET
def ca_chain(request: HttpRequest) -> HttpResponse:
    """The issuing CA and the root, PEM."""
    response = HttpResponse(ca_chain_pem(), content_type="application/pem-certificate-chain")
    response["Content-Disposition"] = 'inline; filename="ca.pem"'
    return response


@require_GET
def ca_certificate(request: HttpRequest, name: str) -> HttpResponse:
    """One CA certificate, DER (the caIssuers target of the certificates it issued)."""
    ca = ca_get(name=name)
    return HttpResponse(ca.certificate.public_bytes(Encoding.DER), content_type="application/pkix-cert")


@require_GET
def crl(request: HttpRequest, name: str) -> HttpResponse:
    """The CA's current CRL, DER."""
    ca = ca_get(name=name)
    response = HttpResponse(crl_current(ca=ca), content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=300"
    return response


def _ocsp_response(der: bytes) -> HttpResponse:
    response = HttpResponse(der, content_type="application/ocsp-response")
    response["Cache-Control"] = (
        f"max-age={int(conf.OCSP_RESPONSE_LIFETIME.total_seconds() // 2)}, public, no-transform"
    )
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ocsp(request: HttpRequest, encoded: str = "") -> HttpResponse:
    """RFC 6960 responder: POST application/ocsp-request, or GET with the request base64 in the path."""
    if request.method == "POST":
        if request.content_type != "application/ocsp-request":
            return HttpResponse(status=415)
        body = request.body
    else:
        try:
            body = base64.b64decode(unquote(encoded), validate=True)
        except (binascii.Error, ValueError):
            body = b""
    if not body or len(body) > MAX_OCSP_REQUEST_BYTES:
        return HttpResponse("Malformed OCSP request.", status=400, content_type="text/plain")
    return _ocsp_response(ocsp_respond(request_der=body))
