"""Request and response bodies of the REST API. Amounts are integers in tyiyn (1/100 som)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict

from uzart.billing.money import MAX_AMOUNT

# Text a person typed: no control characters (a NUL cannot be stored by PostgreSQL).
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
PIN_PATTERN = r"^[0-9]{6,12}$"
NUMBER_PATTERN = r"^[0-9]{6}-[A-Z0-9]{5}$"
SERIAL_PATTERN = r"^[0-9a-f]{1,40}$"
MAX_ID = 2**63 - 1

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_only(value: Any) -> Any:
    """Accept dates written YYYY-MM-DD only (pydantic alone would also read numbers as Unix times)."""
    if not isinstance(value, dt.date) and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


def _boolean_only(value: Any) -> Any:
    """Accept true/false only (pydantic alone would also read 1, yes, on…)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise ValueError("a boolean is written true or false")


def _whole_number(value: Any) -> Any:
    """JSON's idea of an integer: 218 or 218.0, never "218" or true."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
StrictBool = Annotated[bool, BeforeValidator(_boolean_only)]


class StrictInput(Schema):
    """A request body: JSON types are taken as they are, never coerced ("1" is not 1, 1 is not true)."""

    model_config = ConfigDict(strict=True, extra="forbid")


CertificateStatus = Literal["waiting", "in_force", "expired", "revoked"]
RenewalStatus = Literal["submitted", "documents_submitted", "in_review", "issued", "rejected", "cancelled"]


class Problem(Schema):
    """RFC 9457 problem details; some problems add fields (attempts_left, shortfall, balance, errors…)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(..., examples=["urn:uzart:problem:insufficient_funds"])
    title: str
    status: int
    detail: str
    code: str


class CompanyRef(Schema):
    id: int
    inn: str
    name: str


class Membership(Schema):
    company: CompanyRef
    role: Literal["head", "accountant", "signer"]
    position: str


class Me(Schema):
    email: str
    full_name: str
    operator_role: Literal["", "specialist", "admin"]
    memberships: list[Membership]
    scopes: list[str] = Field(..., description="Scopes of the token used; all of them for a web session.")


class CertificateOut(Schema):
    serial: str
    company: CompanyRef
    common_name: str
    storage: Literal["cloud", "token"]
    not_before: dt.datetime
    not_after: dt.datetime
    revoked_at: dt.datetime | None
    status: CertificateStatus
    in_force: bool
    expires_on: dt.date = Field(..., description="Calendar day of expiry in Asia/Bishkek.")
    days_left: int = Field(
        ..., description="Days from today (Asia/Bishkek) to the expiry day; 0 once expired."
    )


class CertificateList(Schema):
    items: list[CertificateOut]


class RenewalOfferOut(Schema):
    """What the holder is shown before signing: the request's details, the tariff and the balance."""

    certificate_serial: str
    company: CompanyRef
    full_name: str
    position: str
    expires_on: dt.date
    days_left: int
    last_day_to_send: dt.date
    past_deadline: bool
    can_renew: bool
    open_request: str | None
    new_not_before: dt.datetime
    new_not_after: dt.datetime
    new_expires_on: dt.date
    price: int
    balance: int
    shortfall: int


class RenewalSubmitIn(StrictInput):
    pin: str = Field(..., pattern=PIN_PATTERN, json_schema_extra={"format": "password", "writeOnly": True})
    details_confirmed: bool = Field(..., description="The holder confirms the details have not changed.")
    idempotency_key: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9_.:-]{8,64}$",
        description="A new random value per request; a retry with the same value never charges twice.",
    )


class RenewalEventOut(Schema):
    at: dt.datetime
    status: RenewalStatus
    note: str


class RenewalOut(Schema):
    number: str
    status: RenewalStatus
    status_label: str
    channel: Literal["remote", "documents", "office"]
    urgent: bool
    company: CompanyRef
    certificate_serial: str
    full_name: str
    old_not_after: dt.datetime
    last_day_to_send: dt.date
    new_not_before: dt.datetime
    new_not_after: dt.datetime
    price: int
    paid: bool
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    reject_reason: str
    queue_position: int | None = Field(..., description="1-based place in the queue; 0 in review.")
    issued_certificate_serial: str | None
    events: list[RenewalEventOut]


class RenewalList(Schema):
    items: list[RenewalOut]


class QueueItemOut(RenewalOut):
    holder_email: str
    claimed_by: str | None
    changed_details: str
    csr_fingerprint: str


class QueuePage(Schema):
    count: int
    items: list[QueueItemOut]


class RejectIn(StrictInput):
    reason: str = Field(..., min_length=1, max_length=2000, pattern=PLAIN_TEXT)


class BalanceOut(Schema):
    company: CompanyRef
    balance: int = Field(..., description="In tyiyn (1/100 som).")
    currency: Literal["KGS"] = "KGS"


class CompanyPage(Schema):
    count: int
    items: list[BalanceOut]


class LedgerEntryOut(Schema):
    id: int
    created_at: dt.datetime
    kind: Literal["topup", "debit", "refund", "adjustment"]
    amount: int
    balance_after: int
    method: str
    memo: str
    document_number: str


class StatementOut(Schema):
    company: CompanyRef
    date_from: dt.date | None
    date_to: dt.date | None
    opening_balance: int
    closing_balance: int
    credits: int
    debits: int
    entries: list[LedgerEntryOut]


class PaymentIn(StrictInput):
    method: Literal["bank_transfer", "cash"]
    amount: WholeNumber = Field(..., ge=1, le=MAX_AMOUNT, description="In tyiyn (1/100 som).")
    document_number: str = Field(
        ..., min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
    )


class PaymentOut(Schema):
    entry: LedgerEntryOut
    created: bool = Field(..., description="False when this payment document was credited before.")
    balance: int
