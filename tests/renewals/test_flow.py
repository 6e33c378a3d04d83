"""Remote renewal end to end at the service level: submit, money, queue, approve, reject, cancel, office."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import CompanyFactory, holder
from tests.renewals.conftest import OFFICE_PRICE, PIN, REMOTE_PRICE, enrol_for, fund
from uzart import clock
from uzart.audit.models import AuditEvent
from uzart.billing.errors import InsufficientFunds
from uzart.billing.models import LedgerEntry
from uzart.billing.selectors import account_balance_get
from uzart.keystore.errors import WrongPin
from uzart.keystore.models import CloudKey
from uzart.outbox.models import Notification
from uzart.pki.selectors import certificate_active_for
from uzart.renewals import services
from uzart.renewals.attachments import Scan
from uzart.renewals.errors import (
    AttachmentRejected,
    DetailsNotConfirmed,
    NotYourClaim,
    ReasonRequired,
    SignatureInvalid,
    TransitionNotAllowed,
)
from uzart.renewals.models import Channel, RenewalRequest, Status
from uzart.renewals.selectors import queue_position, renewal_offer_for

pytestmark = pytest.mark.django_db

BALANCE = 1_000_000


def submit(world, key="k" * 32, **kwargs):
    params = {"user": world.holder, "pin": PIN, "idempotency_key": key, "details_confirmed": True, **kwargs}
    return services.renewal_submit(**params)


def test_submit_debits_the_tariff_stores_the_signed_request_and_enqueues_it(world):
    request, created = submit(world)
    assert created
    assert request.status == Status.SUBMITTED and request.channel == Channel.REMOTE
    assert request.price == REMOTE_PRICE
    assert account_balance_get(company=world.company) == BALANCE - REMOTE_PRICE
    assert request.debit.amount == -REMOTE_PRICE
    assert request.full_name == "Асанова Айгуль Бакытовна" and request.company_inn == "02412201910101"
    assert request.new_not_before == world.certificate.not_after
    assert bytes(request.signed_pdf).startswith(b"%PDF")
    report = services.renewal_validate_signature(request=request)
    assert report.bottom_line and report.intact and report.trusted
    assert world.certificate.serial in report.signer_serial.lower().replace(":", "") or report.signer_serial
    assert request.new_key.owner == world.holder and request.new_key != world.certificate.key
    assert queue_position(request) == 1
    assert Notification.objects.filter(user=world.holder, kind="renewal.submitted").count() == 1
    assert AuditEvent.objects.filter(action="renewal.submit", target_id=str(request.pk)).exists()


def test_a_retry_with_the_same_key_or_a_second_submit_gives_the_same_request_and_one_charge(world):
    first, created = submit(world, key="a" * 32)
    again, created_again = submit(world, key="a" * 32)
    other, created_other = submit(world, key="b" * 32)
    assert created and not created_again and not created_other
    assert first.pk == again.pk == other.pk
    assert RenewalRequest.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DEBIT).count() == 1
    assert account_balance_get(company=world.company) == BALANCE - REMOTE_PRICE


def test_short_balance_refuses_with_the_shortfall_and_creates_nothing(world):
    poor = CompanyFactory()
    user = holder(company=poor)
    enrol_for(user, poor, days_left=20)
    fund(poor, 50_000)
    keys_before = CloudKey.objects.count()
    with pytest.raises(InsufficientFunds) as info:
        services.renewal_submit(user=user, pin=PIN, idempotency_key="c" * 32, details_confirmed=True)
    assert info.value.shortfall == REMOTE_PRICE - 50_000
    assert "1 010,00" in str(info.value) or "1,010.00" in str(info.value)
    assert RenewalRequest.objects.count() == 0
    assert account_balance_get(company=poor) == 50_000
    assert CloudKey.objects.count() == keys_before


def test_details_must_be_confirmed(world):
    with pytest.raises(DetailsNotConfirmed):
        submit(world, details_confirmed=False)
    assert RenewalRequest.objects.count() == 0


def test_a_wrong_pin_sends_nothing_and_charges_nothing(world):
    with pytest.raises(WrongPin):
        submit(world, pin="999999")
    assert RenewalRequest.objects.count() == 0
    assert account_balance_get(company=world.company) == BALANCE


def test_after_the_last_day_to_send_the_request_is_marked_urgent(world):
    late = holder(company=world.company, role="signer")
    enrol_for(late, world.company, days_left=1)
    offer = renewal_offer_for(user=late)
    assert offer is not None and offer.past_deadline
    request, _ = services.renewal_submit(user=late, pin=PIN, idempotency_key="u" * 32, details_confirmed=True)
    assert request.urgent
    normal, _ = submit(world)
    assert not normal.urgent
    assert queue_position(request) == 1 and queue_position(normal) == 2


def test_the_window_opens_thirty_days_before_expiry(world):
    far = holder(company=world.company, role="signer")
    certificate = enrol_for(far, world.company, days_left=45)
    assert renewal_offer_for(user=far) is None
    with time_machine.travel(certificate.not_after - dt.timedelta(days=30), tick=False):
        offer = renewal_offer_for(user=far)
    assert offer is not None and offer.days_left == 30


def test_cancel_refunds_in_full_and_the_ledger_reconciles(world):
    request, _ = submit(world)
    services.renewal_cancel(user=world.holder, request=request)
    request.refresh_from_db()
    assert request.status == Status.CANCELLED
    assert account_balance_get(company=world.company) == BALANCE
    call_command("ledger", "reconcile")
    with pytest.raises(TransitionNotAllowed):
        services.renewal_cancel(user=world.holder, request=request)
    assert account_balance_get(company=world.company) == BALANCE


def test_claimed_request_cannot_be_cancelled_or_taken_by_another_specialist(world):
    request, _ = submit(world)
    services.renewal_claim(actor=world.specialist, request=request)
    with pytest.raises(NotYourClaim):
        services.renewal_claim(actor=world.other_specialist, request=request)
    with pytest.raises(TransitionNotAllowed):
        services.renewal_cancel(user=world.holder, request=request)
    with pytest.raises(NotYourClaim):
        services.renewal_approve(actor=world.other_specialist, request=request)


def test_approve_issues_the_successor_that_takes_over_at_the_old_expiry(world):
    request, _ = submit(world)
    services.renewal_claim(actor=world.specialist, request=request)
    services.renewal_approve(actor=world.specialist, request=request)
    request.refresh_from_db()
    new = request.issued_certificate
    assert request.status == Status.ISSUED
    assert new.not_before == world.certificate.not_after
    assert (
        clock.to_bishkek(new.not_after).date().replace(year=new.not_after.year - 1)
        == clock.to_bishkek(world.certificate.not_after).date()
    )
    assert new.predecessor == world.certificate and new.key == request.new_key
    assert account_balance_get(company=world.company) == BALANCE - REMOTE_PRICE
    assert certificate_active_for(user=world.holder).pk == world.certificate.pk
    with time_machine.travel(world.certificate.not_after - dt.timedelta(microseconds=1), tick=False):
        assert certificate_active_for(user=world.holder).pk == world.certificate.pk
    with time_machine.travel(world.certificate.not_after, tick=False):
        assert certificate_active_for(user=world.holder).pk == new.pk
    assert Notification.objects.filter(user=world.holder, kind="renewal.issued").exists()
    offer = renewal_offer_for(user=world.holder)
    assert offer is not None and offer.successor == new and not offer.can_renew


def test_reject_needs_a_reason_refunds_in_full_and_tells_the_holder(world):
    request, _ = submit(world)
    with pytest.raises(ReasonRequired):
        services.renewal_reject(actor=world.specialist, request=request, reason="  ")
    services.renewal_reject(actor=world.specialist, request=request, reason="ИНН не совпадает")
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert account_balance_get(company=world.company) == BALANCE
    note = Notification.objects.get(user=world.holder, kind="renewal.rejected")
    assert note.params["reason"] == "ИНН не совпадает"
    call_command("ledger", "reconcile")


def test_a_tampered_signed_request_fails_validation_and_cannot_be_approved(world):
    request, _ = submit(world)
    pdf = bytearray(request.signed_pdf)
    position = pdf.index(b"/Contents") - 200  # inside the signed byte range
    pdf[position] = pdf[position] ^ 0x01
    RenewalRequest.objects.filter(pk=request.pk).update(signed_pdf=bytes(pdf))
    request.refresh_from_db()
    assert not services.renewal_validate_signature(request=request).bottom_line
    services.renewal_claim(actor=world.specialist, request=request)
    with pytest.raises(SignatureInvalid):
        services.renewal_approve(actor=world.specialist, request=request)
    assert account_balance_get(company=world.company) == BALANCE - REMOTE_PRICE


def test_changed_details_request_with_scans_is_paid_when_approved(world):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    with pytest.raises(AttachmentRejected):
        services.renewal_submit_documents(
            user=world.holder,
            pin=PIN,
            idempotency_key="d" * 32,
            changed_details="Новое наименование",
            scans=[Scan("virus.exe", b"MZ\x90\x00")],
        )
    assert RenewalRequest.objects.count() == 0
    request, created = services.renewal_submit_documents(
        user=world.holder, pin=PIN, idempotency_key="d" * 32, changed_details="Новое наименование",
        scans=[Scan("charter.png", png)],
    )  # fmt: skip
    assert created and request.status == Status.DOCUMENTS_SUBMITTED
    assert request.attachments.get().content_type == "image/png"
    assert account_balance_get(company=world.company) == BALANCE
    services.renewal_claim(actor=world.specialist, request=request)
    services.renewal_approve(actor=world.specialist, request=request)
    request.refresh_from_db()
    assert request.status == Status.ISSUED
    assert account_balance_get(company=world.company) == BALANCE - REMOTE_PRICE


def test_office_renewal_after_expiry_starts_now_and_records_cash(world):
    after = world.certificate.not_after + dt.timedelta(days=3)
    with time_machine.travel(after, tick=False):
        assert certificate_active_for(user=world.holder) is None
        request = services.renewal_office(
            actor=world.specialist,
            holder=world.holder,
            company=world.company,
            paper_reference="П-17",
            payment="cash",
            cash_document="ПКО-55",
            new_pin="135790",
            idempotency_key="o" * 32,
        )
        new = request.issued_certificate
        assert new.not_before == clock.now().replace(microsecond=0)
        assert certificate_active_for(user=world.holder).pk == new.pk
    assert request.status == Status.ISSUED and request.channel == Channel.OFFICE
    assert request.price == OFFICE_PRICE
    assert account_balance_get(company=world.company) == BALANCE
    kinds = list(LedgerEntry.objects.order_by("pk").values_list("kind", "amount"))[-2:]
    assert kinds == [(LedgerEntry.Kind.TOPUP, OFFICE_PRICE), (LedgerEntry.Kind.DEBIT, -OFFICE_PRICE)]


def test_office_renewal_before_expiry_starts_at_the_old_expiry(world):
    request = services.renewal_office(
        actor=world.specialist, holder=world.holder, company=world.company, paper_reference="П-18",
        payment="balance", new_pin="135790", idempotency_key="p" * 32,
    )  # fmt: skip
    assert request.issued_certificate.not_before == world.certificate.not_after
    assert account_balance_get(company=world.company) == BALANCE - OFFICE_PRICE


def test_holder_cannot_act_as_specialist(world):
    from uzart.errors import PermissionDenied

    request, _ = submit(world)
    with pytest.raises(PermissionDenied):
        services.renewal_claim(actor=world.holder, request=request)
    with pytest.raises(PermissionDenied):
        services.renewal_reject(actor=world.holder, request=request, reason="x")
