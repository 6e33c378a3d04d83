"""Certificate authorities, holder certificates, and cached OCSP responses."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import ClassVar

from cryptography import x509
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uzart import clock
from uzart.pki.querysets import CertificateAuthorityQuerySet, CertificateQuerySet


class RevocationReason(models.TextChoices):
    """RFC 5280 CRLReason values an operator may choose (names as in ``x509.ReasonFlags``)."""

    UNSPECIFIED = "unspecified", _("Unspecified")
    KEY_COMPROMISE = "key_compromise", _("Key compromise")
    AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")
    SUPERSEDED = "superseded", _("Superseded")
    CESSATION_OF_OPERATION = "cessation_of_operation", _("Cessation of operation")
    PRIVILEGE_WITHDRAWN = "privilege_withdrawn", _("Privilege withdrawn")

    @property
    def flag(self) -> x509.ReasonFlags:
        return x509.ReasonFlags[self.value]


class CertificateAuthority(models.Model):
    """One of the operator's CAs: its certificate, its key in the keystore, and its latest CRL."""

    class Role(models.TextChoices):
        ROOT = "root", _("Root CA")
        ISSUING = "issuing", _("Issuing CA")

    name = models.SlugField(_("name"), max_length=64, unique=True, help_text=_("Used in the CRL address."))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    key = models.ForeignKey(
        "keystore.CloudKey", on_delete=models.PROTECT, related_name="authorities", verbose_name=_("key")
    )
    certificate_der = models.BinaryField(_("certificate (DER)"))
    serial = models.CharField(_("serial number"), max_length=40)
    subject = models.CharField(_("subject"), max_length=500)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    next_crl_number = models.PositiveBigIntegerField(_("next CRL number"), default=1)
    crl_der = models.BinaryField(_("latest CRL (DER)"), null=True, blank=True)
    crl_this_update = models.DateTimeField(_("CRL issued"), null=True, blank=True)
    crl_next_update = models.DateTimeField(_("next CRL due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    objects: ClassVar[CertificateAuthorityQuerySet] = CertificateAuthorityQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="root", parent__isnull=True)
                | models.Q(role="issuing", parent__isnull=False),
                name="pki_ca_root_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(bytes(self.certificate_der))


class Certificate(models.Model):
    """A holder's certificate. Whether it is in force is read from its dates and revocation."""

    class Storage(models.TextChoices):
        CLOUD = "cloud", _("Cloud keystore")
        TOKEN = "token", _("Hardware token")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("company")
    )
    key = models.ForeignKey(
        "keystore.CloudKey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("cloud key"),
    )
    storage = models.CharField(_("key storage"), max_length=8, choices=Storage.choices, default=Storage.CLOUD)
    issuer = models.ForeignKey(
        CertificateAuthority, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("issuer")
    )
    serial = models.CharField(
        _("serial number"), max_length=40, unique=True, help_text=_("Hexadecimal, lowercase.")
    )
    der = models.BinaryField(_("certificate (DER)"))
    common_name = models.CharField(_("name in the certificate"), max_length=200)
    position = models.CharField(_("position"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail in the certificate"), blank=True)
    spki_sha256 = models.CharField(_("public key fingerprint (SHA-256)"), max_length=64, db_index=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"), db_index=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("revocation reason"), max_length=32, choices=RevocationReason.choices, blank=True
    )
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        verbose_name=_("renews"),
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)

    objects: ClassVar[CertificateQuerySet] = CertificateQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-not_before"]
        indexes = [models.Index(fields=["owner", "not_before"], name="pki_cert_owner_not_before")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(not_before__lt=models.F("not_after")), name="pki_cert_validity_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(storage="cloud", key__isnull=False)
                | models.Q(storage="token", key__isnull=True),
                name="pki_cert_cloud_has_key",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revocation_reason="")
                | models.Q(revoked_at__isnull=False) & ~models.Q(revocation_reason=""),
                name="pki_cert_revocation_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial})"

    @cached_property
    def x509(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(bytes(self.der))

    @property
    def serial_number(self) -> int:
        return int(self.serial, 16)

    def pem(self) -> str:
        """The certificate in PEM."""
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.x509.public_bytes(Encoding.PEM).decode("ascii")

    def is_in_force(self, *, at: dt.datetime | None = None) -> bool:
        """Python-side twin of ``CertificateQuerySet.in_force`` for a loaded row."""
        instant = at or clock.now()
        revoked = self.revoked_at is not None and self.revoked_at <= instant
        return self.not_before <= instant < self.not_after and not revoked


class OcspResponse(models.Model):
    """A signed OCSP response kept until half its lifetime has passed (RFC 5019 style pre-production)."""

    authority = models.ForeignKey(
        CertificateAuthority, on_delete=models.CASCADE, related_name="ocsp_responses"
    )
    serial = models.CharField(max_length=40)
    status = models.CharField(max_length=16)
    hash_algorithm = models.CharField(max_length=16)
    der = models.BinaryField()
    this_update = models.DateTimeField()
    reuse_until = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("OCSP response")
        verbose_name_plural = _("OCSP responses")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "serial", "hash_algorithm"], name="pki_ocsp_one_per_serial"
            ),
        ]

    def __str__(self) -> str:
        return f"OCSP {self.authority} {self.serial}"
