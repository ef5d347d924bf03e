"""Moving samples: audit, roles, and two people acting on the same sample at once."""

import threading

import pytest
from sqlalchemy import Engine

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.db import run_in_transaction, session_factory, transaction
from labsys.errors import ConcurrentEdit, InvalidTransition, PermissionDenied, ValidationError
from labsys.samples import Intake, State, get_sample, move_sample, update_intake
from labsys.samples.models import Sample
from tests.conftest import POSTGRES_URL, registered_sample


def _new_sample(engine: Engine, actor: Actor) -> Sample:
    return registered_sample(engine, actor, "heroin", "powder", "Gare")


def test_move_records_who_from_to_and_why(engine: Engine, actors: dict[Role, Actor]) -> None:
    volunteer = actors[Role.VOLUNTEER]
    sample = _new_sample(engine, volunteer)
    with transaction(engine) as session:
        moved = move_sample(
            session, volunteer, sample.code, "queued", expected_version=sample.version
        )
        moved = move_sample(
            session,
            volunteer,
            sample.code,
            "withdrawn",
            expected_version=moved.version,
            reason="person took it back",
        )
    with transaction(engine) as session:
        events = history(session, "sample", sample.id)
    assert [(e.from_state, e.to_state, e.reason) for e in events[1:]] == [
        ("received", "queued", None),
        ("queued", "withdrawn", "person took it back"),
    ]
    assert all(e.actor_name == "volunteer" for e in events)


def test_illegal_move_is_refused(engine: Engine, actors: dict[Role, Actor]) -> None:
    sample = _new_sample(engine, actors[Role.VOLUNTEER])
    with pytest.raises(InvalidTransition, match="cannot be moved"), transaction(engine) as session:
        move_sample(
            session, actors[Role.ADMIN], sample.code, "reported", expected_version=sample.version
        )


def test_reason_required_for_withdrawal(engine: Engine, actors: dict[Role, Actor]) -> None:
    sample = _new_sample(engine, actors[Role.VOLUNTEER])
    with pytest.raises(ValidationError, match="Reason is required"), transaction(engine) as session:
        move_sample(session, actors[Role.VOLUNTEER], sample.code, "withdrawn", expected_version=1)


def test_role_is_enforced_by_the_service(engine: Engine, actors: dict[Role, Actor]) -> None:
    sample = _new_sample(engine, actors[Role.VOLUNTEER])
    with pytest.raises(PermissionDenied, match="counsellor"), transaction(engine) as session:
        move_sample(session, actors[Role.COUNSELLOR], sample.code, "queued", expected_version=1)


def test_stale_version_is_refused_and_nothing_overwritten(
    engine: Engine, actors: dict[Role, Actor]
) -> None:
    volunteer = actors[Role.VOLUNTEER]
    sample = _new_sample(engine, volunteer)
    seen = sample.version
    with transaction(engine) as session:
        move_sample(session, volunteer, sample.code, "queued", expected_version=seen)
    with pytest.raises(ConcurrentEdit, match="changed by someone else"), transaction(engine) as s:
        move_sample(
            s, actors[Role.ADMIN], sample.code, "withdrawn", expected_version=seen, reason="x"
        )
    with transaction(engine) as session:
        assert get_sample(session, volunteer, sample.code).state == State.QUEUED


def test_concurrent_sessions_one_wins_the_other_is_told(
    engine: Engine, actors: dict[Role, Actor]
) -> None:
    """Two real sessions in two threads move the same sample from the same version at once."""
    sample = _new_sample(engine, actors[Role.VOLUNTEER])
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(actor: Actor, target: str, reason: str | None) -> None:
        start.wait()
        try:
            run_in_transaction(
                engine,
                lambda s: move_sample(
                    s, actor, sample.code, target, expected_version=sample.version, reason=reason
                ),
            )
            outcomes[actor.username] = "moved"
        except ConcurrentEdit:
            outcomes[actor.username] = "refused"

    threads = [
        threading.Thread(target=act, args=(actors[Role.VOLUNTEER], "queued", None)),
        threading.Thread(target=act, args=(actors[Role.ADMIN], "withdrawn", "duplicate")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["moved", "refused"]
    with transaction(engine) as session:
        stored = get_sample(session, actors[Role.ADMIN], sample.code)
        moves = [e for e in history(session, "sample", stored.id) if e.action == "state_changed"]
    assert len(moves) == 1 and moves[0].to_state == stored.state


@pytest.mark.skipif(not POSTGRES_URL, reason="interleaved open transactions need PostgreSQL")
@pytest.mark.postgres
def test_race_between_read_and_write_is_caught_by_the_version_column(
    postgres_schema_url: str, actors: dict[Role, Actor], engine: Engine
) -> None:
    """Both read version 1; the first commits; the second's UPDATE matches no row."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL interleaving only")
    volunteer = actors[Role.VOLUNTEER]
    sample = _new_sample(engine, volunteer)
    factory = session_factory(engine)
    with factory.begin() as late:
        get_sample(late, volunteer, sample.code)  # read version 1 in an open transaction
        with factory.begin() as early:
            move_sample(early, volunteer, sample.code, "queued", expected_version=sample.version)
        with pytest.raises(ConcurrentEdit, match="someone else"):
            move_sample(
                late, actors[Role.ADMIN], sample.code, "withdrawn", expected_version=1, reason="x"
            )
        late.rollback()


def test_intake_correction_is_audited_per_field(engine: Engine, actors: dict[Role, Actor]) -> None:
    volunteer = actors[Role.VOLUNTEER]
    sample = _new_sample(engine, volunteer)
    corrected = Intake(
        sold_as="heroin", form="powder", site="Gare", received_on=sample.received_on, colour="brown"
    )
    with transaction(engine) as session:
        update_intake(session, volunteer, sample.code, corrected, expected_version=sample.version)
    with transaction(engine) as session:
        events = history(session, "sample", sample.id)
    assert events[-1].action == "intake_corrected"
    assert events[-1].details == {"colour": [None, "brown"]}
    with pytest.raises(ConcurrentEdit), transaction(engine) as session:
        update_intake(session, volunteer, sample.code, corrected, expected_version=sample.version)


def test_four_eyes_cannot_be_skipped_by_a_hand_move(
    engine: Engine, actors: dict[Role, Actor]
) -> None:
    admin = actors[Role.ADMIN]
    sample = _new_sample(engine, admin)
    with transaction(engine) as session:
        version = sample.version
        for target in ("queued", "on_plate", "imaged", "analysed"):
            version = move_sample(
                session, admin, sample.code, target, expected_version=version
            ).version
    with pytest.raises(InvalidTransition, match="Review page"), transaction(engine) as session:
        move_sample(session, admin, sample.code, "reviewed", expected_version=version)
