"""Checks of the scans a holder attaches: PDF, JPEG or PNG by content, within a size limit."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from uzart.renewals.errors import AttachmentRejected

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class Scan:
    name: str
    data: bytes

    @property
    def content_type(self) -> str:
        return sniff_content_type(self.data) or ""


def sniff_content_type(data: bytes) -> str | None:
    """The MIME type told by the file's first bytes, if it is one Uzart accepts."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def scans_check(scans: list[Scan]) -> None:
    """Refuse empty, oversized, too many or wrong-type files, naming the file and the reason."""
    limit = settings.RENEWAL_ATTACHMENT_MAX_BYTES
    if len(scans) > settings.RENEWAL_ATTACHMENT_MAX_FILES:
        raise AttachmentRejected(
            name="…",
            reason=_("attach at most %(count)d files.") % {"count": settings.RENEWAL_ATTACHMENT_MAX_FILES},
        )
    for scan in scans:
        if not scan.data:
            raise AttachmentRejected(name=scan.name, reason=_("the file is empty."))
        if len(scan.data) > limit:
            raise AttachmentRejected(
                name=scan.name,
                reason=_("it is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            )
        if sniff_content_type(scan.data) is None:
            raise AttachmentRejected(name=scan.name, reason=_("only PDF, JPEG and PNG files are accepted."))
