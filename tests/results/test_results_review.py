"""Four-eyes review: proposals, confirmations, audited corrections, concurrency and roles."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.db import run_in_transaction, transaction
from labsys.errors import (
    ConcurrentEdit,
    InvalidTransition,
    PermissionDenied,
    ValidationError,
)
from labsys.results.findings import ProposedFinding
from labsys.results.models import ResultStatus
from labsys.results.review import (
    confirm_result,
    correct_result,
    mark_inconclusive,
    propose_result,
    record_confirmation,
    result_of,
    send_for_confirmation,
    send_to_retest,
)
from labsys.samples import State, get_sample
from tests.results.lab import COCAINE_WITH_LEVAMISOLE, analysed_sample, proposed_sample

Actors = dict[Role, Actor]
COCAINE_ONLY = [ProposedFinding("cocaine", "expected", "high")]


def _state(engine: Engine, actor: Actor, code: str) -> tuple[State, int]:
    with transaction(engine) as session:
        sample = get_sample(session, actor, code)
        return State(sample.state), sample.version


def _actions(engine: Engine, actor: Actor, code: str) -> list[str]:
    with transaction(engine) as session:
        return [e.action for e in history(session, "sample", get_sample(session, actor, code).id)]


def test_proposal_stores_library_names_and_is_audited(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        result = result_of(session, get_sample(session, actors[Role.ADMIN], code))
        assert result is not None
        assert (result.status, result.category, result.purity_band) == (
            ResultStatus.PROPOSED,
            "as_expected_with_adulterants",
            "medium",
        )
        assert [(f.substance, f.kind, f.confidence) for f in result.findings] == [
            ("cocaine", "expected", "high"),
            ("levamisole", "adulterant", "medium"),
        ]
        assert result.findings[0].evidence == ["co-spotted"]
    assert _actions(engine, actors[Role.ADMIN], code)[-1] == "result_proposed"


@pytest.mark.parametrize(
    ("category", "findings", "message"),
    [
        ("as_expected", [ProposedFinding("unobtainium", "expected", "high")], "Unknown substance"),
        ("as_expected", [ProposedFinding("cocaine", "main", "high")], "kind"),
        ("as_expected", [ProposedFinding("cocaine", "expected", "sure")], "Confidence"),
        ("as_expected", COCAINE_ONLY * 2, "listed twice"),
        ("as_expected", [ProposedFinding("caffeine", "expected", "high")], "only cocaine"),
        ("as_expected", [ProposedFinding("cocaine", "other", "high")], "mark it expected"),
        ("as_expected_with_adulterants", COCAINE_ONLY, "at least one other"),
        ("nothing_detected", COCAINE_ONLY, "cannot list the expected"),
        ("lovely", COCAINE_ONLY, "Result category"),
    ],
)
def test_proposal_is_checked(
    sqlite_engine: Engine, sqlite_actors: Actors, category: str, findings: list, message: str
) -> None:
    code = analysed_sample(sqlite_engine, sqlite_actors[Role.VOLUNTEER])
    with pytest.raises(ValidationError, match=message), transaction(sqlite_engine) as session:
        propose_result(
            session,
            sqlite_actors[Role.VOLUNTEER],
            code,
            category=category,
            findings=findings,
            expected_version=None,
        )


def test_proposal_needs_an_analysed_sample_and_lab_rights(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        propose_result(
            session, actors[Role.COUNSELLOR], code, **COCAINE_WITH_LEVAMISOLE, expected_version=1
        )
    with transaction(engine) as session:
        confirm_result(session, actors[Role.COORDINATOR], code, expected_version=1)
    with pytest.raises(ValidationError, match="reviewed"), transaction(engine) as session:
        propose_result(
            session, actors[Role.VOLUNTEER], code, **COCAINE_WITH_LEVAMISOLE, expected_version=2
        )


def test_confirming_moves_the_sample_to_reviewed(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        result = confirm_result(session, actors[Role.COORDINATOR], code, expected_version=1)
        assert result.status == ResultStatus.CONFIRMED
        assert result.reviewed_by_id == actors[Role.COORDINATOR].id
    assert _state(engine, actors[Role.ADMIN], code)[0] is State.REVIEWED
    assert _actions(engine, actors[Role.ADMIN], code)[-2:] == ["state_changed", "result_confirmed"]


def test_nobody_reviews_their_own_proposal(engine: Engine, actors: Actors) -> None:
    coordinator = actors[Role.COORDINATOR]
    code = analysed_sample(engine, coordinator)
    with transaction(engine) as session:
        propose_result(session, coordinator, code, **COCAINE_WITH_LEVAMISOLE, expected_version=None)
    for decide in (
        lambda s: confirm_result(s, coordinator, code, expected_version=1),
        lambda s: correct_result(
            s,
            coordinator,
            code,
            category="as_expected",
            findings=COCAINE_ONLY,
            reason="no levamisole",
            expected_version=1,
        ),
        lambda s: mark_inconclusive(s, coordinator, code, reason="faint", expected_version=1),
    ):
        with (
            pytest.raises(PermissionDenied, match="someone else must review"),
            transaction(engine) as session,
        ):
            decide(session)
    assert _state(engine, coordinator, code)[0] is State.ANALYSED


def test_review_needs_review_rights(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    with pytest.raises(PermissionDenied, match="review"), transaction(engine) as session:
        confirm_result(session, actors[Role.COUNSELLOR], code, expected_version=1)


def test_correction_keeps_before_and_after(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        result = correct_result(
            session,
            actors[Role.COORDINATOR],
            code,
            category="as_expected",
            findings=COCAINE_ONLY,
            reason="levamisole spot is the reference lane's edge",
            expected_version=1,
        )
        assert [f.substance for f in result.findings] == ["cocaine"]
        sample = get_sample(session, actors[Role.ADMIN], code)
        (event,) = [
            e for e in history(session, "sample", sample.id) if e.action == "result_corrected"
        ]
        assert event.reason == "levamisole spot is the reference lane's edge"
        before, after = event.details["before"], event.details["after"]
        assert before["category"] == "as_expected_with_adulterants"
        assert [f["substance"] for f in before["findings"]] == ["cocaine", "levamisole"]
        assert after["category"] == "as_expected"
        assert [f["substance"] for f in after["findings"]] == ["cocaine"]
        assert sample.state == State.REVIEWED


def test_correction_needs_a_reason(sqlite_engine: Engine, sqlite_actors: Actors) -> None:
    code = proposed_sample(sqlite_engine, sqlite_actors)
    with pytest.raises(ValidationError, match="Reason"), transaction(sqlite_engine) as session:
        correct_result(
            session,
            sqlite_actors[Role.COORDINATOR],
            code,
            category="as_expected",
            findings=COCAINE_ONLY,
            reason=" ",
            expected_version=1,
        )


def test_second_reviewer_is_told_and_nothing_is_overwritten(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    seen = 1  # both reviewers opened version 1
    with transaction(engine) as session:
        confirm_result(session, actors[Role.COORDINATOR], code, expected_version=seen)
    with pytest.raises(ConcurrentEdit), transaction(engine) as session:
        correct_result(
            session,
            actors[Role.ADMIN],
            code,
            category="as_expected",
            findings=COCAINE_ONLY,
            reason="disagree",
            expected_version=seen,
        )
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:  # the analyst re-proposes while a reviewer looks
        propose_result(
            session, actors[Role.VOLUNTEER], code, **COCAINE_WITH_LEVAMISOLE, expected_version=1
        )
    with (
        pytest.raises(ConcurrentEdit, match="changed by someone else"),
        transaction(engine) as session,
    ):
        confirm_result(session, actors[Role.COORDINATOR], code, expected_version=seen)


def test_two_reviewers_at_the_same_moment(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def review(actor: Actor, decide: Callable[[Session], object]) -> None:
        start.wait()
        try:
            run_in_transaction(engine, decide)
            outcomes[actor.username] = "done"
        except ConcurrentEdit:
            outcomes[actor.username] = "refused"

    coordinator, admin = actors[Role.COORDINATOR], actors[Role.ADMIN]
    threads = [
        threading.Thread(
            target=review,
            args=(coordinator, lambda s: confirm_result(s, coordinator, code, expected_version=1)),
        ),
        threading.Thread(
            target=review,
            args=(
                admin,
                lambda s: correct_result(
                    s,
                    admin,
                    code,
                    category="as_expected",
                    findings=COCAINE_ONLY,
                    reason="no levamisole",
                    expected_version=1,
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["done", "refused"]
    decisions = [
        a for a in _actions(engine, admin, code) if a in ("result_confirmed", "result_corrected")
    ]
    assert len(decisions) == 1


def test_inconclusive_result_cannot_be_confirmed(engine: Engine, actors: Actors) -> None:
    code = analysed_sample(engine, actors[Role.VOLUNTEER])
    with transaction(engine) as session:
        propose_result(
            session,
            actors[Role.VOLUNTEER],
            code,
            category="inconclusive",
            findings=[],
            expected_version=None,
        )
    with (
        pytest.raises(ValidationError, match="mark it inconclusive"),
        transaction(engine) as session,
    ):
        confirm_result(session, actors[Role.COORDINATOR], code, expected_version=1)


def test_inconclusive_then_retest(engine: Engine, actors: Actors) -> None:
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        mark_inconclusive(
            session, actors[Role.COORDINATOR], code, reason="spots smeared", expected_version=1
        )
    state, version = _state(engine, actors[Role.ADMIN], code)
    assert state is State.INCONCLUSIVE
    with transaction(engine) as session:  # unsure findings stay out of monitoring
        result = result_of(session, get_sample(session, actors[Role.ADMIN], code))
        assert result is not None
        assert (result.category, result.findings) == ("inconclusive", [])
    with transaction(engine) as session:
        send_to_retest(
            session, actors[Role.COORDINATOR], code, reason="new plate", expected_version=version
        )
    assert _state(engine, actors[Role.ADMIN], code)[0] is State.RETEST


def test_confirmation_is_sent_and_recorded(engine: Engine, actors: Actors) -> None:
    coordinator = actors[Role.COORDINATOR]
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        mark_inconclusive(session, coordinator, code, reason="two spots merge", expected_version=1)
    _, version = _state(engine, coordinator, code)
    with transaction(engine) as session:
        sent = send_for_confirmation(
            session, coordinator, code, external_lab="LNS Luxembourg", expected_version=version
        )
        assert sent.external_lab == "LNS Luxembourg"
    state, version = _state(engine, coordinator, code)
    assert state is State.SENT_FOR_CONFIRMATION
    with transaction(engine) as session:
        received = record_confirmation(
            session,
            actors[Role.VOLUNTEER],
            code,
            external_lab="LNS Luxembourg",
            findings=["Cocaine", "levamisole", "mannitol"],
            received_on=date.today(),
            reference="GCMS-2026-0117",
            expected_version=version,
        )
        assert received.id == sent.id
        assert received.findings == ["cocaine", "levamisole", "mannitol"]
    state, version = _state(engine, coordinator, code)
    assert state is State.CONFIRMATION_RECEIVED
    with transaction(engine) as session:  # ready for a proposal and review
        propose_result(
            session, actors[Role.VOLUNTEER], code, **COCAINE_WITH_LEVAMISOLE, expected_version=2
        )
        confirm_result(session, actors[Role.ADMIN], code, expected_version=3)
    assert _state(engine, coordinator, code)[0] is State.REVIEWED


def test_confirmation_checks_its_date_and_state(
    sqlite_engine: Engine, sqlite_actors: Actors
) -> None:
    code = proposed_sample(sqlite_engine, sqlite_actors)
    arguments = {
        "external_lab": "LNS",
        "findings": [],
        "reference": "R1",
        "expected_version": _state(sqlite_engine, sqlite_actors[Role.ADMIN], code)[1],
    }
    with pytest.raises(ValidationError, match="future"), transaction(sqlite_engine) as session:
        record_confirmation(
            session,
            sqlite_actors[Role.VOLUNTEER],
            code,
            received_on=date.today() + timedelta(days=1),
            **arguments,
        )
    with pytest.raises(InvalidTransition), transaction(sqlite_engine) as session:
        record_confirmation(
            session, sqlite_actors[Role.VOLUNTEER], code, received_on=date.today(), **arguments
        )
