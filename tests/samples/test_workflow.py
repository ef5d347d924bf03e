"""Workflow rules: every state reachable, illegal moves refused with a helpful message."""

import itertools

import pytest

from labsys.auth import Actor, Role
from labsys.errors import InvalidTransition
from labsys.samples.workflow import (
    MANAGED_TARGETS,
    REQUIRED_PERMISSION,
    TRANSITIONS,
    State,
    allowed_transitions,
    check_transition,
    needs_reason,
)


def _actor(role: Role) -> Actor:
    return Actor(id=1, username=role.value, role=role)


def test_every_state_is_reachable_from_received() -> None:
    seen, frontier = {State.RECEIVED}, [State.RECEIVED]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(State)


def test_every_target_has_a_required_permission() -> None:
    targets = {t for nexts in TRANSITIONS.values() for t in nexts}
    assert targets <= set(REQUIRED_PERMISSION)


def test_main_path() -> None:
    path = [
        "received",
        "queued",
        "on_plate",
        "imaged",
        "analysed",
        "reviewed",
        "reported",
        "closed",
    ]
    for current, target in itertools.pairwise(path):
        check_transition(State(current), State(target))


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("received", "analysed"),
        ("closed", "queued"),
        ("destroyed", "received"),
        ("queued", "reported"),
    ],
)
def test_illegal_transition_is_refused_with_the_allowed_ones(current: str, target: str) -> None:
    with pytest.raises(InvalidTransition, match="cannot be moved") as raised:
        check_transition(State(current), State(target))
    assert "can go to" in str(raised.value)


def test_side_paths() -> None:
    for current, target in [
        ("analysed", "inconclusive"),
        ("inconclusive", "retest"),
        ("retest", "queued"),
        ("inconclusive", "sent_for_confirmation"),
        ("sent_for_confirmation", "confirmation_received"),
        ("confirmation_received", "reviewed"),
        ("received", "withdrawn"),
        ("withdrawn", "destroyed"),
    ]:
        check_transition(State(current), State(target))


def test_roles_see_only_their_actions() -> None:
    assert State.INCONCLUSIVE in allowed_transitions(State.ANALYSED, _actor(Role.VOLUNTEER))
    assert allowed_transitions(State.RECEIVED, _actor(Role.COUNSELLOR)) == [State.WITHDRAWN]
    assert allowed_transitions(State.REPORTED, _actor(Role.VOLUNTEER)) == []


def test_states_that_stand_for_a_record_are_never_offered_by_hand() -> None:
    admin = _actor(Role.ADMIN)
    for current in State:
        assert not set(allowed_transitions(current, admin)) & set(MANAGED_TARGETS)


def test_reasons_needed_for_stops_and_corrections() -> None:
    assert needs_reason(State.RECEIVED, State.WITHDRAWN)
    assert needs_reason(State.ANALYSED, State.INCONCLUSIVE)
    assert needs_reason(State.REVIEWED, State.ANALYSED)
    assert not needs_reason(State.IMAGED, State.ANALYSED)
    assert not needs_reason(State.RECEIVED, State.QUEUED)
