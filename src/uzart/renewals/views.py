"""Renewal pages: the holder's request and status, the operator's queue, office renewal."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uzart import clock
from uzart.accounts.access import customer_required, operator_required
from uzart.accounts.models import Company, User
from uzart.errors import NotFound, UzartError
from uzart.keystore.errors import KeyLocked, WrongPin
from uzart.renewals import selectors, services
from uzart.renewals.attachments import Scan
from uzart.renewals.forms import DocumentsForm, OfficeRenewalForm, QueueFilterForm, RejectForm, SignForm
from uzart.renewals.models import RenewalRequest
from uzart.renewals.transitions import allowed
from uzart.signing.documents import request_paragraphs


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _preview_paragraphs(preview: selectors.RenewalPreview) -> list[str]:
    text = selectors.request_text(preview, number="", fingerprint="", at=clock.now())
    return request_paragraphs(text, get_language() or "ru")


def _add_error(form: Any, error: UzartError) -> None:
    field = "pin" if isinstance(error, WrongPin | KeyLocked) and "pin" in form.fields else None
    form.add_error(field, str(error))


@customer_required
def renew(request: HttpRequest) -> HttpResponse:
    """The renewal request: text, tariff, balance; Sign with the PIN."""
    user = _user(request)
    preview = selectors.renewal_preview(user=user)
    if preview.offer.open_request is not None:
        return redirect("renewals:status", number=preview.offer.open_request.number)
    form = SignForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        try:
            renewal, created = services.renewal_submit(
                user=user,
                pin=form.cleaned_data["pin"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                details_confirmed=form.cleaned_data["details_unchanged"],
            )
        except UzartError as error:
            _add_error(form, error)
        else:
            if created:
                messages.success(request, _("Your request has been sent."))
            return redirect("renewals:status", number=renewal.number)
    context = {"preview": preview, "form": form, "paragraphs": _preview_paragraphs(preview)}
    return render(request, "renewals/renew.html", context, status=400 if form.errors else 200)


@customer_required
def renew_changed(request: HttpRequest) -> HttpResponse:
    """Details changed: which documents to bring or send, and a way to attach scans."""
    user = _user(request)
    preview = selectors.renewal_preview(user=user)
    if preview.offer.open_request is not None:
        return redirect("renewals:status", number=preview.offer.open_request.number)
    form = DocumentsForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        scans = [Scan(name=f.name or "scan", data=f.read()) for f in request.FILES.getlist("scans")]
        try:
            renewal, created = services.renewal_submit_documents(
                user=user,
                pin=form.cleaned_data["pin"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                changed_details=form.cleaned_data["changed_details"],
                scans=scans,
            )
        except UzartError as error:
            _add_error(form, error)
        else:
            if created:
                messages.success(request, _("Your request and documents have been sent to the operator."))
            return redirect("renewals:status", number=renewal.number)
    context = {"preview": preview, "form": form, "company": preview.offer.certificate.company}
    return render(request, "renewals/changed.html", context, status=400 if form.errors else 200)


@customer_required
def status(request: HttpRequest, number: str) -> HttpResponse:
    """A request's status, place in the queue and timeline."""
    renewal = selectors.renewal_get_for_holder(user=_user(request), number=number)
    context = {
        "renewal": renewal,
        "position": selectors.queue_position(renewal),
        "can_cancel": allowed("cancel", renewal.status),
        "events": renewal.events.all(),
    }
    return render(request, "renewals/status.html", context)


@customer_required
def my_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "renewals/my_requests.html",
        {"renewals": selectors.renewal_list_for_holder(user=_user(request))},
    )


@customer_required
@require_POST
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    renewal = selectors.renewal_get_for_holder(user=user, number=number)
    services.renewal_cancel(user=user, request=renewal)
    messages.success(request, _("The request was cancelled and the payment returned to the company balance."))
    return redirect("renewals:status", number=number)


@operator_required
def queue(request: HttpRequest) -> HttpResponse:
    """The specialists' queue: urgent first, then by expiry."""
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    renewals = selectors.renewal_queue(
        user=_user(request),
        status=filters.get("status", ""),
        urgent_only=filters.get("urgent", False),
        query=filters.get("q", ""),
    )[:200]
    context = {"form": form, "renewals": renewals, "today": clock.today_bishkek()}
    template = "renewals/_queue_rows.html" if getattr(request, "htmx", False) else "renewals/queue.html"
    return render(request, template, context)


def _company_differences(renewal: RenewalRequest) -> list[tuple[str, str, str]]:
    """Details in the request that differ from the company record now: (label, in request, now)."""
    company = Company.objects.get(pk=renewal.company_id)
    holder = User.objects.get(pk=renewal.holder_id)
    rows = [
        (_("Company name"), renewal.company_name, company.legal_name),
        (_("Company INN"), renewal.company_inn, company.inn),
        (_("Full name"), renewal.full_name, holder.full_name),
    ]
    return [row for row in rows if row[1] != row[2]]


@operator_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """One request for a specialist: validation report, differences, actions."""
    user = _user(request)
    renewal = selectors.renewal_get_for_operator(user=user, number=number)
    report = services.renewal_validate_signature(request=renewal) if renewal.signed_pdf else None
    context = {
        "renewal": renewal,
        "report": report,
        "differences": _company_differences(renewal),
        "events": renewal.events.select_related("actor"),
        "attachments": renewal.attachments.only("id", "name", "size", "content_type"),
        "reject_form": RejectForm(),
        "can_claim": allowed("claim", renewal.status),
        "mine": renewal.claimed_by_id == user.pk,
        "can_decide": allowed("approve", renewal.status) and renewal.claimed_by_id == user.pk,
        "can_reject": allowed("reject", renewal.status),
    }
    return render(request, "renewals/detail.html", context)


@operator_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Claim, release, approve or reject; any refusal is shown as a message."""
    user = _user(request)
    renewal = selectors.renewal_get_for_operator(user=user, number=number)
    try:
        if action == "claim":
            services.renewal_claim(actor=user, request=renewal)
        elif action == "release":
            services.renewal_release(actor=user, request=renewal)
        elif action == "approve":
            services.renewal_approve(actor=user, request=renewal)
            messages.success(request, _("The new certificate has been issued."))
        elif action == "reject":
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.renewal_reject(actor=user, request=renewal, reason=reason)
            messages.success(request, _("The request was rejected and the payment refunded."))
        else:
            raise NotFound()
    except UzartError as error:
        messages.error(request, str(error))
    return redirect("renewals:detail", number=number)


@operator_required
def signed_pdf(request: HttpRequest, number: str) -> HttpResponse:
    renewal = selectors.renewal_get_for_operator(user=_user(request), number=number)
    if not renewal.signed_pdf:
        raise NotFound()
    response = HttpResponse(bytes(renewal.signed_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="request-{renewal.number}.pdf"'
    return response


@operator_required
def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    renewal = selectors.renewal_get_for_operator(user=_user(request), number=number)
    scan = renewal.attachments.filter(pk=attachment_id).first()
    if scan is None:
        raise NotFound()
    response = HttpResponse(bytes(scan.data), content_type=scan.content_type)
    response["Content-Disposition"] = f'attachment; filename="{scan.pk}-{number}"'
    return response


@operator_required
def office(request: HttpRequest) -> HttpResponse:
    """Office renewal for a holder who came in, also after expiry."""
    form = OfficeRenewalForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = User.objects.filter(email__iexact=data["holder_email"]).first()
        company = Company.objects.filter(inn=data["company_inn"]).first()
        if holder is None:
            form.add_error("holder_email", _("No holder with this e-mail."))
        if company is None:
            form.add_error("company_inn", _("No company with this INN."))
        if holder is not None and company is not None:
            try:
                renewal = services.renewal_office(
                    actor=_user(request),
                    holder=holder,
                    company=company,
                    paper_reference=data["paper_reference"],
                    payment=data["payment"],
                    cash_document=data["cash_document"],
                    new_pin=data["new_pin"],
                    idempotency_key=data["idempotency_key"],
                )
            except UzartError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The new certificate has been issued."))
                return redirect("renewals:detail", number=renewal.number)
    return render(request, "renewals/office.html", {"form": form}, status=400 if form.errors else 200)
