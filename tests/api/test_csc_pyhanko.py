"""pyHanko's own CSC client signs a holder's PDF through Uzart's /csc/v1 endpoints over HTTP."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io

import aiohttp
import pytest
from django.test import Client
from fpdf import FPDF
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from tests.api.conftest import PIN, token_for
from uzart.api.models import SignatureActivation
from uzart.audit.models import AuditEvent
from uzart.pki.selectors import ca_chain
from uzart.signing.pades import pdf_validate


class PinAuthorization(CSCAuthorizationManager):
    """Asks credentials/authorize for a SAD bound to the hashes pyHanko is about to sign, with the PIN."""

    def __init__(self, session_info, credential_info, *, http, pin):  # type: ignore[no-untyped-def]
        super().__init__(session_info, credential_info)
        self.http = http
        self.pin = pin
        self.sads: list[str] = []

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        request = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.http.post(
            url, json=request, headers=self.auth_headers, raise_for_status=True
        ) as reply:
            info = self.parse_csc_auth_response(await reply.json())
        self.sads.append(info.sad)
        return info


def own_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Annual report 2026 - signed in the cloud")
    return bytes(pdf.output())


def sign_with_csc(
    *, base_url: str, token: str, credential_id: str, pdf: bytes
) -> tuple[bytes, list[str], bool]:
    """Sign ``pdf`` as an outside tool would: pyHanko's CSCSigner and nothing of Uzart's code."""

    async def run() -> tuple[bytes, list[str], bool]:
        async with aiohttp.ClientSession() as http:
            session_info = CSCServiceSessionInfo(
                service_url=base_url, credential_id=credential_id, oauth_token=token
            )
            credential = await fetch_certs_in_csc_credential(http, session_info)
            authorization = PinAuthorization(session_info, credential, http=http, pin=PIN)
            signer = CSCSigner(http, auth_manager=authorization)
            metadata = PdfSignatureMetadata(
                field_name="Signature1", md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES
            )
            output = await PdfSigner(metadata, signer=signer).async_sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(pdf))
            )
            return bytes(output.getvalue()), authorization.sads, credential.hash_pinning_required

    return asyncio.run(run())


@pytest.fixture
def signed(api_world, live_server):  # type: ignore[no-untyped-def]
    token = token_for(api_world.holder_a, ["sign"])
    pdf, sads, pinning = sign_with_csc(
        base_url=live_server.url, token=token, credential_id=api_world.certificate_a.serial, pdf=own_pdf()
    )
    return pdf, sads, pinning, token


def test_pyhanko_signs_a_pdf_with_the_holders_cloud_key_and_the_signature_validates(api_world, signed):
    pdf, sads, pinning, _token = signed

    report = pdf_validate(pdf=pdf, trust_roots=[ca_chain()[-1].certificate])

    assert pinning, "the service must announce SCAL 2 (SAD bound to hashes)"
    assert len(sads) == 1
    assert report.bottom_line, report.problems
    assert report.intact and report.valid and report.trusted
    assert report.signer_serial == api_world.certificate_a.serial.lstrip("0")
    assert AuditEvent.objects.filter(action="csc.authorize").count() == 1
    assert AuditEvent.objects.filter(action="csc.sign_hash").count() == 1
    assert AuditEvent.objects.filter(action="key.sign", data__prehashed=True).count() == 1


def test_the_sad_pyhanko_used_is_refused_for_other_hashes_and_for_the_same_ones_again(api_world, signed):
    _pdf, sads, _pinning, token = signed
    client = Client(headers={"Authorization": f"Bearer {token}"})
    other_hash = base64.b64encode(hashlib.sha256(b"another document").digest()).decode()
    used_hash = SignatureActivation.objects.get().hashes[0]

    for hash_list in ([other_hash], [used_hash]):
        reply = client.post(
            "/csc/v1/signatures/signHash",
            {
                "credentialID": api_world.certificate_a.serial,
                "SAD": sads[0],
                "hash": hash_list,
                "hashAlgo": "2.16.840.1.101.3.4.2.1",
                "signAlgo": "1.2.840.10045.4.3.2",
            },
            content_type="application/json",
        )
        assert reply.status_code == 400
        assert reply.json()["error"] == "invalid_request"
        assert "SAD" in reply.json()["error_description"]
    assert AuditEvent.objects.filter(action="csc.sign_hash").count() == 1
    assert bytes(SignatureActivation.objects.get().sealed) == b""  # nothing of the PIN is left
