"""Reads for the renewal flow: the offer on every holder page, the preview, the queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from uzart import clock
from uzart.accounts.models import Membership, User
from uzart.accounts.selectors import operator_profile_get
from uzart.billing.models import Tariff
from uzart.billing.selectors import account_balance_get, tariff_current
from uzart.errors import NotFound, PermissionDenied
from uzart.pki.models import Certificate
from uzart.pki.selectors import certificate_active_for
from uzart.pki.validity import renewal_validity
from uzart.renewals.models import OPEN_STATUSES, RenewalRequest, Status
from uzart.signing.documents import RenewalRequestText
from uzart.workdays.selectors import last_day_to_send


def expiry_date(instant: dt.datetime) -> dt.date:
    """The calendar day (Asia/Bishkek) on which a certificate ending at ``instant`` expires."""
    return clock.to_bishkek(instant).date()


@dataclass(frozen=True)
class RenewalOffer:
    """What the holder sees on every page once the renewal window is open."""

    certificate: Certificate
    expires_on: dt.date
    days_left: int
    last_day_to_send: dt.date
    past_deadline: bool
    open_request: RenewalRequest | None
    successor: Certificate | None

    @property
    def can_renew(self) -> bool:
        return self.open_request is None and self.successor is None


def successor_of(certificate: Certificate) -> Certificate | None:
    """A certificate issued to follow ``certificate`` (waiting or already in force)."""
    return (
        Certificate.objects.filter(predecessor=certificate, revoked_at__isnull=True)
        .order_by("-not_before")
        .first()
    )


def renewal_offer_for(*, user: User, at: dt.datetime | None = None) -> RenewalOffer | None:
    """The renewal offer for the holder's active cloud certificate, if its window is open."""
    at = at or clock.now()
    certificate = certificate_active_for(user=user, at=at)
    if certificate is None or certificate.storage != Certificate.Storage.CLOUD:
        return None
    expires_on = expiry_date(certificate.not_after)
    today = clock.to_bishkek(at).date()
    days_left = (expires_on - today).days
    if days_left > settings.RENEWAL_WINDOW_DAYS:
        return None
    last_day = last_day_to_send(expiry=expires_on)
    return RenewalOffer(
        certificate=certificate,
        expires_on=expires_on,
        days_left=days_left,
        last_day_to_send=last_day,
        past_deadline=today > last_day,
        open_request=RenewalRequest.objects.open().filter(certificate=certificate).first(),
        successor=successor_of(certificate),
    )


def membership_for_certificate(certificate: Certificate) -> Membership | None:
    """The holder's role in the certificate's company (head or signer)."""
    return (
        Membership.objects.filter(user_id=certificate.owner_id, company_id=certificate.company_id)
        .exclude(role=Membership.Role.ACCOUNTANT)
        .order_by("role")
        .first()
    )


@dataclass(frozen=True)
class RenewalPreview:
    """Everything the renewal page shows before the holder signs."""

    offer: RenewalOffer
    membership: Membership | None
    tariff: Tariff
    balance: int
    new_not_before: dt.datetime
    new_not_after: dt.datetime

    @property
    def price(self) -> int:
        return self.tariff.price

    @property
    def shortfall(self) -> int:
        return max(0, self.tariff.price - self.balance)

    @property
    def new_expires_on(self) -> dt.date:
        return expiry_date(self.new_not_after)


def renewal_preview(*, user: User, at: dt.datetime | None = None) -> RenewalPreview:
    """The preview of a remote renewal; NotFound when no renewal is on offer."""
    at = at or clock.now()
    offer = renewal_offer_for(user=user, at=at)
    if offer is None:
        raise NotFound(_no_offer_message())
    membership = membership_for_certificate(offer.certificate)
    tariff = tariff_current(
        service=Tariff.Service.REMOTE_RENEWAL, role=membership.role if membership else None, at=at
    )
    not_before, not_after = renewal_validity(old_not_after=offer.certificate.not_after)
    return RenewalPreview(
        offer=offer,
        membership=membership,
        tariff=tariff,
        balance=account_balance_get(company=offer.certificate.company),
        new_not_before=not_before,
        new_not_after=not_after,
    )


def _no_offer_message() -> str:
    from django.utils.translation import gettext as _

    return _("There is no EDS to renew remotely right now: the renewal opens 30 days before expiry.")


def renewal_get_for_holder(*, user: User, number: str) -> RenewalRequest:
    """One of the holder's own requests; NotFound for anyone else's."""
    request = RenewalRequest.objects.filter(number=number, holder=user).select_related("company").first()
    if request is None:
        raise NotFound()
    return request


def renewal_list_for_holder(*, user: User) -> QuerySet[RenewalRequest]:
    return RenewalRequest.objects.filter(holder=user).order_by("-submitted_at")


def renewal_get_for_operator(*, user: User, number: str) -> RenewalRequest:
    if not user.is_operator:
        raise PermissionDenied()
    request = (
        RenewalRequest.objects.filter(number=number)
        .select_related("company", "holder", "certificate", "claimed_by", "issued_certificate")
        .first()
    )
    if request is None:
        raise NotFound()
    return request


def renewal_queue(
    *, user: User, status: str = "", urgent_only: bool = False, query: str = ""
) -> QuerySet[RenewalRequest]:
    """The operator's queue: open requests, urgent first, then by expiry."""
    if not user.is_operator:
        raise PermissionDenied()
    qs = RenewalRequest.objects.open().select_related("company", "holder", "claimed_by")
    if status:
        qs = qs.filter(status=status)
    if urgent_only:
        qs = qs.filter(urgent=True)
    query = query.strip()
    if query:
        qs = (
            qs.filter(company_inn__startswith=query)
            if query.isdigit()
            else qs.filter(company_name__icontains=query)
            | qs.filter(number__icontains=query)
            | qs.filter(full_name__icontains=query)
        )
    return qs.queue_order()


def queue_position(request: RenewalRequest) -> int | None:
    """1-based place of a queued request (urgent first, then by expiry, then arrival); 0 while in review."""
    if request.status not in OPEN_STATUSES:
        return None
    if request.status == Status.IN_REVIEW:
        return 0
    same_urgency_ahead = (
        Q(old_not_after__lt=request.old_not_after)
        | Q(old_not_after=request.old_not_after, submitted_at__lt=request.submitted_at)
        | Q(old_not_after=request.old_not_after, submitted_at=request.submitted_at, pk__lt=request.pk)
    )
    ahead = Q(urgent=request.urgent) & same_urgency_ahead
    if not request.urgent:
        ahead |= Q(urgent=True)
    queued = RenewalRequest.objects.filter(status__in=[Status.SUBMITTED, Status.DOCUMENTS_SUBMITTED])
    return queued.filter(ahead).count() + 1


def request_text(
    preview: RenewalPreview, *, number: str, fingerprint: str, at: dt.datetime
) -> RenewalRequestText:
    """The request document's text for a preview; number and fingerprint are empty before signing."""
    certificate = preview.offer.certificate
    return RenewalRequestText(
        full_name=certificate.owner.full_name,
        position=preview.membership.position if preview.membership else "",
        company_name=certificate.company.legal_name,
        company_inn=certificate.company.inn,
        new_expiry=preview.new_expires_on,
        operator_name=operator_profile_get().name,
        csr_fingerprint=fingerprint,
        request_number=number,
        created_at=at,
    )
