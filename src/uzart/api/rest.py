"""The REST API at /api/v1 (django-ninja): holder, billing and operator operations over the domain services.

Every operation authenticates with a personal token (``Authorization: Bearer``) holding the operation's
scope, or with the web session (CSRF token required on unsafe methods). Errors are RFC 9457 problem
documents (``application/problem+json``) with translated details.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Path, Query, Router, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from uzart import clock
from uzart.accounts.selectors import membership_list_for_user
from uzart.api import present
from uzart.api.auth import caller, customer, operator, scoped
from uzart.api.errors import CsrfFailed, InvalidInput, MalformedRequest, Unauthenticated
from uzart.api.models import Scope
from uzart.api.problems import CONTENT_TYPE, problem_from_error, problem_response
from uzart.api.schemas import (
    MAX_ID,
    NUMBER_PATTERN,
    PLAIN_TEXT,
    SERIAL_PATTERN,
    BalanceOut,
    CertificateList,
    CertificateOut,
    CompanyPage,
    IsoDate,
    Me,
    PaymentIn,
    PaymentOut,
    Problem,
    QueueItemOut,
    QueuePage,
    RejectIn,
    RenewalList,
    RenewalOfferOut,
    RenewalOut,
    RenewalSubmitIn,
    StatementOut,
    StrictBool,
)
from uzart.api.services import rate_limit_attempt
from uzart.billing import selectors as billing
from uzart.billing.services import ledger_topup
from uzart.errors import NotFound, UzartError, ValidationFailed
from uzart.pki.selectors import certificate_list_for_owner
from uzart.renewals import selectors as renewals
from uzart.renewals import services as renewal_services
from uzart.renewals.models import RenewalRequest

# Statuses every operation may answer with a problem document, and those only some can.
_COMMON_ERRORS = frozenset({400, 401, 403, 404, 422, 429})


def responses(ok: dict[int, Any], *extra: int) -> dict[Any, Any]:
    """The documented responses of an operation: its bodies and the problems it can answer with."""
    return {**ok, frozenset(_COMMON_ERRORS | set(extra)): Problem}


class UzartApi(NinjaAPI):
    """NinjaAPI whose schema documents error responses as ``application/problem+json``."""

    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if int(status) >= 400 and content:
                        response["content"] = {CONTENT_TYPE: next(iter(content.values()))}
        return schema


api = UzartApi(
    title="Uzart API",
    version="1",
    description=(
        "Holders: certificates, renewal requests, company balance. Operator staff: the renewal queue and "
        "payments. Authenticate with a personal token (`Authorization: Bearer uzt_…`, scopes read, write, "
        "sign) or the web session. Amounts are integers in tyiyn (1/100 som). Errors are RFC 9457 problem "
        "documents. See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=scoped(Scope.READ),
    docs=Swagger(settings={"persistAuthorization": False}),
)


# --- errors as problem documents ----------------------------------------------------------------------


def _safe_error(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error without the rejected input (it may be a PIN) or exception objects."""
    return {
        "loc": [str(part) for part in error.get("loc", [])],
        "msg": str(error.get("msg", "")),
        "type": str(error.get("type", "")),
    }


@api.exception_handler(UzartError)
def _uzart_error(request: HttpRequest, exc: UzartError) -> HttpResponse:
    return problem_from_error(exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_from_error(InvalidInput(), extensions={"errors": [_safe_error(e) for e in exc.errors]})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return problem_from_error(Unauthenticated())
    if exc.status_code == 403:
        return problem_from_error(CsrfFailed())
    if exc.status_code == 400:
        return problem_from_error(MalformedRequest())
    return problem_response(status=exc.status_code, code="http_error", detail=str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_from_error(NotFound())


# --- who am I ------------------------------------------------------------------------------------------


@api.get("/me", response=responses({200: Me}), tags=["account"], summary="The caller and their roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user = caller(request)
    token = getattr(request, "api_token", None)
    return {
        "email": user.email,
        "full_name": user.full_name,
        "operator_role": user.staff_role or "",
        "memberships": [
            {"company": present.company_ref(m.company), "role": m.role, "position": m.position}
            for m in membership_list_for_user(user=user)
        ],
        "scopes": list(token.scopes) if token is not None else list(Scope.values),
    }


# --- holder: certificates and renewal requests ---------------------------------------------------------

holder = Router(tags=["holder"])
Serial = Path(..., pattern=SERIAL_PATTERN, description="Certificate serial number, lowercase hex.")
Number = Path(..., pattern=NUMBER_PATTERN, description="Renewal request number, e.g. 261127-AB2CD.")


@holder.get("/certificates", response=responses({200: CertificateList}), summary="My certificates")
def certificates(request: HttpRequest) -> dict[str, Any]:
    user = customer(request)
    now = clock.now()
    rows = certificate_list_for_owner(user=user)
    return {"items": [present.certificate_body(c, at=now) for c in rows]}


@holder.get(
    "/certificates/{serial}", response=responses({200: CertificateOut}), summary="One of my certificates"
)
def certificate(request: HttpRequest, serial: str = Serial) -> dict[str, Any]:
    user = customer(request)
    row = certificate_list_for_owner(user=user).filter(serial=serial).first()
    if row is None:
        raise NotFound()
    return present.certificate_body(row)


@holder.get(
    "/renewal-offer",
    response=responses({200: RenewalOfferOut}, 409),
    summary="Prepare a renewal: the request's details, tariff and balance",
)
def renewal_offer(request: HttpRequest) -> dict[str, Any]:
    user = customer(request)
    return present.offer_body(renewals.renewal_preview(user=user))


def _renewal_rows(qs: Any) -> Any:
    return qs.select_related("certificate", "issued_certificate", "holder", "claimed_by").prefetch_related(
        "events"
    )


@holder.get("/renewals", response=responses({200: RenewalList}), summary="My renewal requests")
def my_renewals(request: HttpRequest) -> dict[str, Any]:
    user = customer(request)
    rows = _renewal_rows(renewals.renewal_list_for_holder(user=user))
    return {"items": [present.renewal_body(r) for r in rows]}


@holder.post(
    "/renewals",
    response=responses({200: RenewalOut, 201: RenewalOut}, 402, 409, 423, 503),
    auth=scoped(Scope.SIGN),
    summary="Sign and send a renewal request with the EDS PIN",
    description=(
        "Signs the request with the current EDS, debits the tariff and queues it, in one step. "
        "201 for a new request; 200 with the open request when one exists or the idempotency key was "
        "used before (nothing is charged twice). PIN tries are counted: 5 wrong ones lock the key."
    ),
)
def renewal_sign(request: HttpRequest, body: RenewalSubmitIn) -> Any:
    user = customer(request)
    rate_limit_attempt(bucket="pin", ident=f"user:{user.pk}")
    row, created = renewal_services.renewal_submit(
        user=user,
        pin=body.pin,
        idempotency_key=body.idempotency_key,
        details_confirmed=body.details_confirmed,
    )
    row = _renewal_rows(RenewalRequest.objects.filter(pk=row.pk)).get()
    return Status(201 if created else 200, present.renewal_body(row))


@holder.get("/renewals/{number}", response=responses({200: RenewalOut}), summary="One of my requests")
def my_renewal(request: HttpRequest, number: str = Number) -> dict[str, Any]:
    user = customer(request)
    row = renewals.renewal_get_for_holder(user=user, number=number)
    return present.renewal_body(_renewal_rows(RenewalRequest.objects.filter(pk=row.pk)).get())


@holder.post(
    "/renewals/{number}/cancel",
    response=responses({200: RenewalOut}, 409),
    auth=scoped(Scope.WRITE),
    summary="Cancel my request (any payment is refunded)",
)
def renewal_cancel(request: HttpRequest, number: str = Number) -> dict[str, Any]:
    user = customer(request)
    row = renewals.renewal_get_for_holder(user=user, number=number)
    row = renewal_services.renewal_cancel(user=user, request=row)
    return present.renewal_body(_renewal_rows(RenewalRequest.objects.filter(pk=row.pk)).get())


# --- billing: balances, statements, payments ----------------------------------------------------------

billing_router = Router(tags=["billing"])
CompanyId = Path(..., ge=1, le=MAX_ID, description="Company id (see GET /companies).")
_FIRST_DAY = dt.date(1900, 1, 1)
_LAST_DAY = dt.date(9998, 12, 31)


def _page(qs: Any, limit: int, offset: int) -> tuple[int, list[Any]]:
    return qs.count(), list(qs[offset : offset + limit])


@billing_router.get(
    "/companies", response=responses({200: CompanyPage}), summary="Companies whose balance I may see"
)
def companies(
    request: HttpRequest,
    q: str = Query("", max_length=100, pattern=PLAIN_TEXT, description="Operators: INN prefix or name."),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    user = caller(request)
    qs = billing.account_search(query=q) if user.is_operator else billing.company_list_for_billing(user=user)
    count, rows = _page(qs, limit, offset)
    return {
        "count": count,
        "items": [{"company": present.company_ref(c), "balance": c.balance, "currency": "KGS"} for c in rows],
    }


@billing_router.get(
    "/companies/{company_id}", response=responses({200: BalanceOut}), summary="A company's balance"
)
def company_balance(request: HttpRequest, company_id: int = CompanyId) -> dict[str, Any]:
    account = billing.account_get_for_user(user=caller(request), company_id=company_id)
    return {"company": present.company_ref(account.company), "balance": account.balance, "currency": "KGS"}


@billing_router.get(
    "/companies/{company_id}/statement",
    response=responses({200: StatementOut}),
    summary="A company's statement between two dates (Asia/Bishkek, both inclusive)",
)
def company_statement(
    request: HttpRequest,
    company_id: int = CompanyId,
    date_from: Annotated[IsoDate | None, Query(None, description="First day (Asia/Bishkek).")] = None,
    date_to: Annotated[IsoDate | None, Query(None, description="Last day (Asia/Bishkek).")] = None,
) -> dict[str, Any]:
    account = billing.account_get_for_user(user=caller(request), company_id=company_id)
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(_("The start date must not be after the end date."))
    statement = billing.statement_get(
        company=account.company,
        date_from=min(max(date_from, _FIRST_DAY), _LAST_DAY) if date_from else None,
        date_to=min(max(date_to, _FIRST_DAY), _LAST_DAY) if date_to else None,
    )
    return present.statement_body(statement)


@billing_router.post(
    "/companies/{company_id}/payments",
    response=responses({200: PaymentOut, 201: PaymentOut}, 409),
    auth=scoped(Scope.WRITE),
    summary="Operator: credit a bank transfer or cash payment",
    description="The same payment document (method and number) is credited once; a repeat answers 200.",
)
def company_payment(request: HttpRequest, body: PaymentIn, company_id: int = CompanyId) -> Any:
    actor = operator(request)
    account = billing.account_get_for_user(user=actor, company_id=company_id)
    company = account.company
    number = body.document_number.strip()
    key = f"payment:{company.inn}:{body.method}:{number}"  # the key the operator's payment page uses
    seen = billing.ledger_key_used(idempotency_key=key)
    entry = ledger_topup(
        company=company,
        amount=body.amount,
        idempotency_key=key,
        method=body.method,
        document_number=number,
        actor=actor,
    )
    balance = billing.account_balance_get(company=company)
    return Status(
        200 if seen else 201, {"entry": present.entry_body(entry), "created": not seen, "balance": balance}
    )


# --- operator: the renewal queue ---------------------------------------------------------------------

queue = Router(tags=["operator"])


def _operator_renewal(request: HttpRequest, number: str) -> RenewalRequest:
    return renewals.renewal_get_for_operator(user=operator(request), number=number)


def _operator_body(row: RenewalRequest) -> dict[str, Any]:
    return present.renewal_body(
        _renewal_rows(RenewalRequest.objects.filter(pk=row.pk)).get(), for_operator=True
    )


@queue.get("/queue", response=responses({200: QueuePage}), summary="Operator: open requests, urgent first")
def queue_list(
    request: HttpRequest,
    status: Literal["", "submitted", "documents_submitted", "in_review"] = Query(""),
    urgent: Annotated[StrictBool, Query(False, description="Urgent requests only.")] = False,
    q: str = Query("", max_length=100, pattern=PLAIN_TEXT, description="INN prefix, name or number."),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    qs = renewals.renewal_queue(user=operator(request), status=status, urgent_only=urgent, query=q)
    count, rows = _page(_renewal_rows(qs), limit, offset)
    return {"count": count, "items": [present.renewal_body(r, for_operator=True) for r in rows]}


@queue.get("/queue/{number}", response=responses({200: QueueItemOut}), summary="Operator: one request")
def queue_item(request: HttpRequest, number: str = Number) -> dict[str, Any]:
    return _operator_body(_operator_renewal(request, number))


@queue.post(
    "/queue/{number}/claim",
    response=responses({200: QueueItemOut}, 409),
    auth=scoped(Scope.WRITE),
    summary="Operator: take a request to work on it",
)
def queue_claim(request: HttpRequest, number: str = Number) -> dict[str, Any]:
    row = _operator_renewal(request, number)
    return _operator_body(renewal_services.renewal_claim(actor=operator(request), request=row))


@queue.post(
    "/queue/{number}/release",
    response=responses({200: QueueItemOut}, 409),
    auth=scoped(Scope.WRITE),
    summary="Operator: put a claimed request back in the queue",
)
def queue_release(request: HttpRequest, number: str = Number) -> dict[str, Any]:
    row = _operator_renewal(request, number)
    return _operator_body(renewal_services.renewal_release(actor=operator(request), request=row))


@queue.post(
    "/queue/{number}/approve",
    response=responses({200: QueueItemOut}, 402, 409, 503),
    auth=scoped(Scope.WRITE),
    summary="Operator: issue the new certificate for a claimed request",
)
def queue_approve(request: HttpRequest, number: str = Number) -> dict[str, Any]:
    row = _operator_renewal(request, number)
    return _operator_body(renewal_services.renewal_approve(actor=operator(request), request=row))


@queue.post(
    "/queue/{number}/reject",
    response=responses({200: QueueItemOut}, 409),
    auth=scoped(Scope.WRITE),
    summary="Operator: reject a request with a reason (any payment is refunded)",
)
def queue_reject(request: HttpRequest, body: RejectIn, number: str = Number) -> dict[str, Any]:
    row = _operator_renewal(request, number)
    return _operator_body(
        renewal_services.renewal_reject(actor=operator(request), request=row, reason=body.reason)
    )


api.add_router("", holder)
api.add_router("", billing_router)
api.add_router("", queue)
