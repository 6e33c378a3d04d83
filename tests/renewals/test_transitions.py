"""The state machine of DESIGN.md, as a table: every transition × every status."""

from __future__ import annotations

import pytest

from uzart.renewals.models import FINAL_STATUSES, OPEN_STATUSES, Channel, Status
from uzart.renewals.transitions import CREATION, TRANSITIONS, allowed, target_status

S, D, R, ISS, X, C = (
    Status.SUBMITTED,
    Status.DOCUMENTS_SUBMITTED,
    Status.IN_REVIEW,
    Status.ISSUED,
    Status.REJECTED,
    Status.CANCELLED,
)

# transition -> (statuses it may leave, where it leads for a remote request, who, money)
EXPECTED = {
    "cancel": ({S, D}, C, "holder", "refund"),
    "claim": ({S, D}, R, "specialist", "none"),
    "release": ({R}, S, "specialist", "none"),
    "approve": ({R}, ISS, "specialist", "debit_if_unpaid"),
    "reject": ({S, D, R}, X, "specialist", "refund"),
}


def test_the_table_names_exactly_the_transitions_of_the_design():
    assert set(TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("status", list(Status))
def test_transition_is_allowed_only_from_its_sources(name, status):
    assert allowed(name, status) == (status in EXPECTED[name][0])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_transition_target_actor_and_money(name):
    _sources, target, actor, money = EXPECTED[name]
    assert target_status(name, Channel.REMOTE) == target
    assert TRANSITIONS[name].actor == actor
    assert TRANSITIONS[name].money == money


def test_release_returns_a_documents_request_to_its_own_queue_status():
    assert target_status("release", Channel.DOCUMENTS) == D


def test_final_states_have_no_way_out_and_open_is_everything_else():
    for name in TRANSITIONS:
        assert not any(allowed(name, status) for status in FINAL_STATUSES)
    assert {S, D, R} == OPEN_STATUSES
    assert CREATION == {Channel.REMOTE: S, Channel.DOCUMENTS: D, Channel.OFFICE: ISS}
