"""The renewal state machine, written once as data (DESIGN.md, "Renewal request states")."""

from __future__ import annotations

from dataclasses import dataclass

from uzart.renewals.models import Channel, Status

QUEUED = "queued"  # back to the queue status of the request's channel


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    actor: str  # "holder" or "specialist"
    money: str  # "debit", "refund", "debit_if_unpaid" or "none"


TRANSITIONS: dict[str, Transition] = {
    "cancel": Transition(
        frozenset({Status.SUBMITTED, Status.DOCUMENTS_SUBMITTED}), Status.CANCELLED, "holder", "refund"
    ),
    "claim": Transition(
        frozenset({Status.SUBMITTED, Status.DOCUMENTS_SUBMITTED}), Status.IN_REVIEW, "specialist", "none"
    ),
    "release": Transition(frozenset({Status.IN_REVIEW}), QUEUED, "specialist", "none"),
    "approve": Transition(frozenset({Status.IN_REVIEW}), Status.ISSUED, "specialist", "debit_if_unpaid"),
    "reject": Transition(
        frozenset({Status.SUBMITTED, Status.DOCUMENTS_SUBMITTED, Status.IN_REVIEW}),
        Status.REJECTED,
        "specialist",
        "refund",
    ),
}

# Requests are created (not transitioned) in these states.
CREATION = {
    Channel.REMOTE: Status.SUBMITTED,
    Channel.DOCUMENTS: Status.DOCUMENTS_SUBMITTED,
    Channel.OFFICE: Status.ISSUED,
}


def target_status(name: str, channel: str) -> str:
    """The status a transition leads to for a request of the given channel."""
    target = TRANSITIONS[name].target
    return CREATION[Channel(channel)] if target == QUEUED else target


def allowed(name: str, status: str) -> bool:
    """Whether transition ``name`` may leave ``status``."""
    return status in TRANSITIONS[name].sources
