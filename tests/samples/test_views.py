"""The sample timeline says in plain words what each recorded event did."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from labsys.audit import record
from labsys.auth import Actor, Role
from labsys.db import transaction, utcnow
from labsys.results.conversation import record_conversation
from labsys.results.findings import ProposedFinding
from labsys.results.review import (
    correct_result,
    mark_inconclusive,
    propose_result,
    record_confirmation,
    result_version,
    send_for_confirmation,
)
from labsys.samples import Intake, get_sample, register, update_intake
from labsys.samples.views import TimelineEntry, sample_timeline
from labsys.storage.purge import purge
from tests.results.lab import proposed_sample, reviewed_sample

Actors = dict[Role, Actor]
PROPOSED = "As expected, with adulterant(s); found cocaine, levamisole; purity medium"


def _timeline(engine: Engine, actor: Actor, code: str) -> list[TimelineEntry]:
    with transaction(engine) as session:
        return sample_timeline(session, actor, code)


def _version(engine: Engine, actor: Actor, code: str) -> int:
    with transaction(engine) as session:
        return get_sample(session, actor, code).version


def test_from_intake_to_closed_in_words(sqlite_engine: Engine, sqlite_actors: Actors) -> None:
    code = reviewed_sample(sqlite_engine, sqlite_actors)
    counsellor = sqlite_actors[Role.COUNSELLOR]
    with transaction(sqlite_engine) as session:
        record_conversation(
            session,
            counsellor,
            code,
            language="fr",
            offered=["naloxone", "hcv_hiv_testing"],
            accepted=["naloxone"],
            expected_version=get_sample(session, counsellor, code).version,
        )
    assert [entry.what for entry in _timeline(sqlite_engine, counsellor, code)] == [
        "Registered at intake",
        "received → queued",
        "queued → on plate",
        "on plate → imaged",
        "imaged → analysed",
        f"Result proposed: {PROPOSED}",
        "analysed → reviewed",
        "Result confirmed",
        "reviewed → reported",
        "Conversation recorded (referrals offered: Naloxone and overdose training, "
        "Hepatitis C and HIV testing; accepted: Naloxone and overdose training)",
        "reported → closed",
    ]


def test_a_correction_shows_before_and_after_and_why(
    sqlite_engine: Engine, sqlite_actors: Actors
) -> None:
    code = proposed_sample(sqlite_engine, sqlite_actors)
    coordinator = sqlite_actors[Role.COORDINATOR]
    with transaction(sqlite_engine) as session:
        correct_result(
            session,
            coordinator,
            code,
            category="as_expected",
            findings=[ProposedFinding("cocaine", "expected", "high")],
            purity_band="high",
            reason="the second spot is the solvent front",
            expected_version=1,
        )
    corrected = _timeline(sqlite_engine, coordinator, code)[-1]
    assert corrected.what == (
        "Result corrected: category As expected, with adulterant(s) → As expected; "
        "found cocaine, levamisole → cocaine; purity medium → high"
    )
    assert (corrected.who, corrected.reason) == (
        "coordinator",
        "the second spot is the solvent front",
    )


def test_a_correction_of_confidence_alone_says_so(
    sqlite_engine: Engine, sqlite_actors: Actors
) -> None:
    code = proposed_sample(sqlite_engine, sqlite_actors)
    coordinator = sqlite_actors[Role.COORDINATOR]
    with transaction(sqlite_engine) as session:
        correct_result(
            session,
            coordinator,
            code,
            category="as_expected_with_adulterants",
            findings=[
                ProposedFinding("cocaine", "expected", "high"),
                ProposedFinding("levamisole", "adulterant", "low"),
            ],
            purity_band="medium",
            summary="faint second spot",
            reason="levamisole spot is faint",
            expected_version=1,
        )
    assert _timeline(sqlite_engine, coordinator, code)[-1].what == (
        "Result corrected: a finding's kind, confidence or amount changed; summary reworded"
    )


def test_inconclusive_confirmation_and_a_new_proposal(
    sqlite_engine: Engine, sqlite_actors: Actors
) -> None:
    code = proposed_sample(sqlite_engine, sqlite_actors)
    coordinator, volunteer = sqlite_actors[Role.COORDINATOR], sqlite_actors[Role.VOLUNTEER]
    with transaction(sqlite_engine) as session:
        mark_inconclusive(session, coordinator, code, reason="smeared lane", expected_version=1)
    with transaction(sqlite_engine) as session:
        version = get_sample(session, coordinator, code).version
        send_for_confirmation(
            session, coordinator, code, external_lab="GC-MS lab", expected_version=version
        )
    with transaction(sqlite_engine) as session:
        record_confirmation(
            session,
            coordinator,
            code,
            external_lab="GC-MS lab",
            findings=["cocaine", "phenacetin"],
            received_on=date.today(),
            reference="R-12",
            expected_version=get_sample(session, coordinator, code).version,
        )
    with transaction(sqlite_engine) as session:
        propose_result(
            session,
            volunteer,
            code,
            category="as_expected_with_adulterants",
            findings=[
                ProposedFinding("cocaine", "expected", "high"),
                ProposedFinding("phenacetin", "adulterant", "high"),
            ],
            expected_version=result_version(session, volunteer, code),
        )
    words = [entry.what for entry in _timeline(sqlite_engine, volunteer, code)]
    assert words[6:] == [
        "analysed → inconclusive",
        f"Marked inconclusive (proposed: {PROPOSED})",
        "inconclusive → sent for confirmation",
        "sent for confirmation → confirmation received",
        "Confirmation received from GC-MS lab (report R-12): found cocaine, phenacetin",
        "Result proposed: As expected, with adulterant(s); found cocaine, phenacetin"
        " (replacing Inconclusive; found nothing)",
    ]


def test_purge_and_an_action_not_described_yet(
    sqlite_engine: Engine, sqlite_actors: Actors, tmp_path: Path
) -> None:
    volunteer = sqlite_actors[Role.VOLUNTEER]
    code = reviewed_sample(sqlite_engine, sqlite_actors)
    with transaction(sqlite_engine) as session:
        sample = get_sample(session, volunteer, code)
        record(session, volunteer, "sample", sample.id, "label_reprinted")
    with transaction(sqlite_engine) as session:
        record_conversation(
            session,
            sqlite_actors[Role.COUNSELLOR],
            code,
            language="en",
            offered=[],
            accepted=[],
            expected_version=_version(sqlite_engine, volunteer, code),
        )
    purge(sqlite_engine, tmp_path, older_than_days=90, now=utcnow() + timedelta(days=91))
    words = [entry.what for entry in _timeline(sqlite_engine, volunteer, code)]
    assert words[-5:] == [
        "label reprinted",
        "reviewed → reported",
        "Conversation recorded (no referrals offered)",
        "reported → closed",
        "Purged after the retention period: no lab notes to blank, 0 photo file(s) deleted",
    ]


def test_an_intake_correction_names_each_field(
    sqlite_engine: Engine, sqlite_actors: Actors
) -> None:
    volunteer = sqlite_actors[Role.VOLUNTEER]
    intake = Intake(sold_as="cocaine", form="powder", site="Gare")
    with transaction(sqlite_engine) as session:
        sample = register(session, volunteer, intake)
        update_intake(
            session,
            volunteer,
            sample.code,
            replace(intake, colour="white"),
            expected_version=sample.version,
        )
    assert _timeline(sqlite_engine, volunteer, sample.code)[-1].what == (
        "Intake corrected: colour None → 'white'"
    )
