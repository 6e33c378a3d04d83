"""Billing pages for companies and operator staff, and the payment provider's webhook."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from uzart import clock
from uzart.accounts.access import customer_required, operator_required
from uzart.accounts.models import Company, User
from uzart.billing import selectors
from uzart.billing.errors import DemoOnly
from uzart.billing.exports import statement_csv
from uzart.billing.forms import (
    AdjustmentForm,
    PaymentForm,
    SimulatedPaymentForm,
    StatementFilterForm,
    new_form_key,
)
from uzart.billing.models import CompanyAccount, LedgerEntry
from uzart.billing.money import money_format
from uzart.billing.services import ledger_adjust, ledger_topup
from uzart.billing.webhooks import WebhookRejected, webhook_payment_receive
from uzart.errors import UzartError


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _statement_context(request: HttpRequest, account: CompanyAccount) -> dict[str, Any]:
    form = StatementFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    statement = selectors.statement_get(company=account.company, date_from=date_from, date_to=date_to)
    return {
        "account": account,
        "company": account.company,
        "filter_form": form,
        "statement": statement,
        "query_string": request.GET.urlencode(),
    }


def _csv_response(request: HttpRequest, account: CompanyAccount) -> HttpResponse:
    form = StatementFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_bound:
        if not form.is_valid():
            return HttpResponse(
                " ".join(str(e) for errors in form.errors.values() for e in errors),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    statement = selectors.statement_get(company=account.company, date_from=date_from, date_to=date_to)
    name = f"statement-{account.company.inn}"
    if date_from:
        name += f"-from-{date_from:%Y-%m-%d}"
    if date_to:
        name += f"-to-{date_to:%Y-%m-%d}"
    response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


# --- company pages (head or accountant of the company) -------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Operators go to all accounts; a company member sees their companies' balances."""
    user = _user(request)
    if user.is_operator:
        return redirect("billing:operator_accounts")
    companies = list(selectors.company_list_for_billing(user=user))
    if len(companies) == 1:
        return redirect("billing:company", company_id=companies[0].pk)
    return render(request, "billing/home.html", {"companies": companies})


@customer_required
def company(request: HttpRequest, company_id: int) -> HttpResponse:
    """Balance, current tariffs and the statement of one company."""
    account = selectors.account_get_for_user(user=_user(request), company_id=company_id)
    context = _statement_context(request, account)
    context["tariffs"] = selectors.tariff_list_current(at=clock.now())
    if settings.DEMO:
        context["simulate_form"] = SimulatedPaymentForm(initial={"form_key": new_form_key()})
    return render(request, "billing/company.html", context)


@customer_required
def company_csv(request: HttpRequest, company_id: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=_user(request), company_id=company_id)
    return _csv_response(request, account)


@customer_required
@require_POST
def company_simulate_payment(request: HttpRequest, company_id: int) -> HttpResponse:
    """Demo only: credit a pretend online payment to the company."""
    if not settings.DEMO:
        raise DemoOnly()
    account = selectors.account_get_for_user(user=_user(request), company_id=company_id)
    form = SimulatedPaymentForm(request.POST)
    if form.is_valid():
        entry = ledger_topup(
            company=account.company,
            amount=form.cleaned_data["amount"],
            idempotency_key=f"demo:{form.cleaned_data['form_key']}",
            method=LedgerEntry.Method.DEMO,
            document_number=f"DEMO-{form.cleaned_data['form_key'][:8].upper()}",
            actor=_user(request),
        )
        messages.success(
            request, _("Simulated payment of %(amount)s credited.") % {"amount": money_format(entry.amount)}
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("billing:company", company_id=account.company.pk)


# --- operator pages (specialist or admin) --------------------------------------------------------------


@operator_required
def operator_accounts(request: HttpRequest) -> HttpResponse:
    """All companies with their balances, searchable by INN or name."""
    query = request.GET.get("q", "").strip()
    companies = selectors.account_search(query=query)[:100]
    context = {"query": query, "companies": companies}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "billing/_account_rows.html", context)
    return render(request, "billing/operator_accounts.html", context)


def _operator_company_page(
    request: HttpRequest,
    account: CompanyAccount,
    *,
    payment_form: PaymentForm | None = None,
    adjustment_form: AdjustmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _statement_context(request, account)
    context["payment_form"] = payment_form or PaymentForm()
    context["adjustment_form"] = adjustment_form or AdjustmentForm(initial={"form_key": new_form_key()})
    return render(request, "billing/operator_company.html", context, status=status)


@operator_required
def operator_company(request: HttpRequest, company_id: int) -> HttpResponse:
    """One company's balance and statement, with forms to record a payment or an adjustment."""
    account = selectors.account_get_for_user(user=_user(request), company_id=company_id)
    return _operator_company_page(request, account)


@operator_required
def operator_company_csv(request: HttpRequest, company_id: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=_user(request), company_id=company_id)
    return _csv_response(request, account)


def _form_fail(form: Any, exc: UzartError) -> None:
    form.add_error(None, str(exc))


@operator_required
@require_POST
def operator_record_payment(request: HttpRequest, company_id: int) -> HttpResponse:
    """Credit a bank transfer or cash payment; the same document is never credited twice."""
    account = selectors.account_get_for_user(user=_user(request), company_id=company_id)
    target: Company = account.company
    form = PaymentForm(request.POST)
    if form.is_valid():
        method = form.cleaned_data["method"]
        number = form.cleaned_data["document_number"].strip()
        key = f"payment:{target.inn}:{method}:{number}"
        seen = selectors.ledger_key_used(idempotency_key=key)
        try:
            entry = ledger_topup(
                company=target,
                amount=form.cleaned_data["amount"],
                idempotency_key=key,
                method=method,
                document_number=number,
                actor=_user(request),
            )
        except UzartError as exc:
            _form_fail(form, exc)
        else:
            if seen:
                messages.info(request, _("This payment document was already credited; nothing changed."))
            else:
                messages.success(
                    request,
                    _("Payment of %(amount)s credited to %(company)s.")
                    % {"amount": money_format(entry.amount), "company": target.legal_name},
                )
            return redirect("billing:operator_company", company_id=target.pk)
    return _operator_company_page(request, account, payment_form=form, status=400)


@operator_required
@require_POST
def operator_adjust(request: HttpRequest, company_id: int) -> HttpResponse:
    """Correct a balance with a reason (audited)."""
    account = selectors.account_get_for_user(user=_user(request), company_id=company_id)
    target: Company = account.company
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            entry = ledger_adjust(
                company=target,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                idempotency_key=f"adjust:{form.cleaned_data['form_key']}",
                actor=_user(request),
            )
        except UzartError as exc:
            _form_fail(form, exc)
        else:
            messages.success(
                request,
                _("Adjustment of %(amount)s recorded for %(company)s.")
                % {"amount": money_format(entry.amount), "company": target.legal_name},
            )
            return redirect("billing:operator_company", company_id=target.pk)
    return _operator_company_page(request, account, adjustment_form=form, status=400)


# --- payment provider webhook ---------------------------------------------------------------------------


def _problem(status: int, code: str, detail: str) -> JsonResponse:
    titles = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        409: "Conflict",
        503: "Service Unavailable",
    }
    body = {
        "type": f"urn:uzart:problem:{code}",
        "title": titles.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    return JsonResponse(body, status=status, content_type="application/problem+json")


@csrf_exempt
@require_POST
def webhook_payment(request: HttpRequest) -> JsonResponse:
    """Credit a payment provider's signed notification; see docs/billing.md for the protocol."""
    try:
        entry, created = webhook_payment_receive(
            body=request.body,
            timestamp=request.headers.get("X-Uzart-Timestamp"),
            signature=request.headers.get("X-Uzart-Signature"),
        )
    except WebhookRejected as exc:
        return _problem(exc.status, exc.code, exc.detail)
    return JsonResponse(
        {
            "status": "credited" if created else "duplicate",
            "entry_id": entry.pk,
            "amount_tyiyn": entry.amount,
        },
        status=201 if created else 200,
    )
