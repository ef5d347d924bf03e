"""The counsellor's view of a reviewed result, recording the conversation and closing the sample."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.counselling.knowledge import Referral
from labsys.db import transaction
from labsys.errors import InvalidTransition, PermissionDenied, ValidationError
from labsys.monitoring.alerts import move_alert
from labsys.monitoring.models import Alert
from labsys.results.conversation import close_sample, record_conversation
from labsys.results.counsel import counsellor_view
from labsys.results.findings import ProposedFinding
from labsys.results.models import Confidence
from labsys.results.records import ConversationReferral
from labsys.results.review import confirm_result, propose_result
from labsys.samples import State, get_sample, move_sample
from tests.results.lab import analysed_sample, proposed_sample, reviewed_sample

Actors = dict[Role, Actor]


def test_view_gives_the_result_in_plain_words_and_the_prompts(
    engine: Engine, actors: Actors
) -> None:
    code = reviewed_sample(engine, actors)
    with transaction(engine) as session:
        view = counsellor_view(session, actors[Role.COUNSELLOR], code, "fr")
    assert view.expected == "cocaine"
    assert [(f.substance, f.confidence) for f in view.found] == [
        ("cocaine", Confidence.HIGH),
        ("levamisole", Confidence.MEDIUM),
    ]
    assert view.prompts.lang == "fr"
    keys = [p.key for p in view.prompts.prompts]
    assert "adulterants/levamisole" in keys
    assert Referral.DOCTOR in view.prompts.referrals
    assert view.conversation is None
    assert view.card().found == ("cocaine", "levamisole")


def test_confirmed_fentanyl_raises_an_alert_counsellors_see_once_published(
    engine: Engine, actors: Actors
) -> None:
    volunteer, coordinator = actors[Role.VOLUNTEER], actors[Role.COORDINATOR]
    code = analysed_sample(engine, volunteer, "heroin", consent=True)
    with transaction(engine) as session:
        propose_result(
            session,
            volunteer,
            code,
            category="as_expected_with_adulterants",
            findings=[
                ProposedFinding("heroin", "expected", "high"),
                ProposedFinding("fentanyl", "adulterant", "medium"),
            ],
            expected_version=None,
        )
        confirm_result(session, coordinator, code, expected_version=1)
        (alert,) = session.scalars(select(Alert)).all()  # raised with the confirmation
        assert counsellor_view(session, actors[Role.COUNSELLOR], code, "en").alerts == ()
        for state in ("acknowledged", "published"):
            alert = move_alert(
                session,
                coordinator,
                alert.id,
                state,
                expected_version=alert.version,
                reason="seen on two plates",
            )
        view = counsellor_view(session, actors[Role.COUNSELLOR], code, "en")
    assert [a.substance for a in view.alerts] == ["fentanyl"]


def test_view_refuses_a_result_not_reviewed_yet(
    sqlite_engine: Engine, sqlite_actors: Actors
) -> None:
    counsellor = sqlite_actors[Role.COUNSELLOR]
    code = proposed_sample(sqlite_engine, sqlite_actors)
    with (
        pytest.raises(ValidationError, match="no reviewed result"),
        transaction(sqlite_engine) as session,
    ):
        counsellor_view(session, counsellor, code, "en")
    code = reviewed_sample(sqlite_engine, sqlite_actors)
    with transaction(sqlite_engine) as session:  # sent back for correction after review
        version = get_sample(session, counsellor, code).version
        move_sample(
            session,
            sqlite_actors[Role.COORDINATOR],
            code,
            State.ANALYSED,
            expected_version=version,
            reason="wrong lane read",
        )
    with (
        pytest.raises(ValidationError, match="'analysed'"),
        transaction(sqlite_engine) as session,
    ):
        counsellor_view(session, counsellor, code, "en")


def test_conversation_is_recorded_and_the_sample_closed(engine: Engine, actors: Actors) -> None:
    counsellor = actors[Role.COUNSELLOR]
    code = reviewed_sample(engine, actors)
    with transaction(engine) as session:
        version = get_sample(session, counsellor, code).version
        sample = record_conversation(
            session,
            counsellor,
            code,
            language="fr",
            offered=["doctor", Referral.HCV_HIV_TESTING],
            accepted=["doctor"],
            prompt_keys=["adulterants/levamisole"],
            expected_version=version,
        )
        assert sample.state == State.CLOSED
        events = history(session, "sample", sample.id)
        assert [(e.from_state, e.to_state) for e in events[-3:] if e.to_state] == [
            ("reviewed", "reported"),
            ("reported", "closed"),
        ]
        (recorded,) = [e for e in events if e.action == "conversation_recorded"]
        assert recorded.details == {
            "language": "fr",
            "offered": ["doctor", "hcv_hiv_testing"],
            "accepted": ["doctor"],
        }
        accepted = session.scalar(
            select(func.count())
            .select_from(ConversationReferral)
            .where(ConversationReferral.referral == "doctor", ConversationReferral.accepted)
        )
        assert accepted == 1
        view = counsellor_view(session, counsellor, code, "en")
    assert view.conversation is not None
    assert view.conversation.counsellor == "counsellor"
    assert view.conversation.accepted == (Referral.DOCTOR,)


def test_reported_only_then_closed(engine: Engine, actors: Actors) -> None:
    counsellor = actors[Role.COUNSELLOR]
    code = reviewed_sample(engine, actors)
    with transaction(engine) as session:
        version = get_sample(session, counsellor, code).version
        sample = record_conversation(
            session,
            counsellor,
            code,
            language="en",
            offered=[],
            accepted=[],
            close=False,
            expected_version=version,
        )
        assert sample.state == State.REPORTED
        with pytest.raises(ValidationError, match="already recorded"):
            record_conversation(
                session,
                counsellor,
                code,
                language="en",
                offered=[],
                accepted=[],
                expected_version=sample.version,
            )
        assert close_sample(session, counsellor, code, expected_version=sample.version).state == (
            State.CLOSED
        )


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"offered": ["a hug"], "accepted": []}, ValidationError, "fixed list"),
        ({"offered": [], "accepted": ["naloxone"]}, ValidationError, "not offered"),
        ({"language": "de"}, ValidationError, "Language"),
        ({"prompt_keys": ["made/up"]}, ValidationError, "Unknown counselling entry"),
    ],
)
def test_conversation_input_is_checked(
    sqlite_engine: Engine,
    sqlite_actors: Actors,
    arguments: dict,
    error: type[Exception],
    message: str,
) -> None:
    code = reviewed_sample(sqlite_engine, sqlite_actors)
    given = {"language": "en", "offered": [], "accepted": []} | arguments
    with pytest.raises(error, match=message), transaction(sqlite_engine) as session:
        record_conversation(
            session, sqlite_actors[Role.COUNSELLOR], code, **given, expected_version=9
        )


def test_conversation_needs_counsel_rights_and_a_reviewed_sample(
    sqlite_engine: Engine, sqlite_actors: Actors
) -> None:
    code = reviewed_sample(sqlite_engine, sqlite_actors)
    with pytest.raises(PermissionDenied), transaction(sqlite_engine) as session:
        record_conversation(
            session,
            sqlite_actors[Role.VOLUNTEER],
            code,
            language="en",
            offered=[],
            accepted=[],
            expected_version=1,
        )
    counsellor = sqlite_actors[Role.COUNSELLOR]
    with pytest.raises(InvalidTransition), transaction(sqlite_engine) as session:
        version = get_sample(session, counsellor, code).version
        close_sample(session, counsellor, code, expected_version=version)
