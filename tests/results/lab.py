"""Samples brought to the states review and counselling start from, for the tests."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.plates.identification import identify_plate
from labsys.results.categories import ResultCategory
from labsys.results.findings import ProposedFinding, proposal_from_draft
from labsys.results.models import Confidence, FindingKind
from labsys.results.review import confirm_result, propose_result
from labsys.samples import Intake, State, move_sample, register
from labsys.storage.photos import PhotoStore
from labsys.tlc.bands import Band
from labsys.tlc.draft import Finding, ResultDraft
from labsys.tlc.identify import Candidate, SpotIdentification, Verdict
from tests.plates.plate_photos import accepted_plate, library

TO_ANALYSED = (State.QUEUED, State.ON_PLATE, State.IMAGED, State.ANALYSED)

COCAINE_WITH_LEVAMISOLE = {
    "category": "as_expected_with_adulterants",
    "findings": [
        ProposedFinding(
            "coke", FindingKind.EXPECTED, Confidence.HIGH, hrf=48.0, evidence=("co-spotted",)
        ),
        ProposedFinding("levamisole", "adulterant", "medium"),
    ],
    "purity_band": "medium",
}


def analysed_sample(
    engine: Engine, actor: Actor, sold_as: str = "cocaine", *, consent: bool = False
) -> str:
    """Register a sample and take it through the lab to analysed; return its code."""
    intake = Intake(
        sold_as=sold_as,
        form="powder",
        site="Gare",
        received_on=date.today(),
        monitoring_consent=consent,
    )
    with transaction(engine) as session:
        sample = register(session, actor, intake)
        for state in TO_ANALYSED:
            move_sample(session, actor, sample.code, state, expected_version=sample.version)
        return sample.code


def proposed_sample(engine: Engine, actors: dict[Role, Actor]) -> str:
    """An analysed cocaine sample with a result proposed by the volunteer."""
    code = analysed_sample(engine, actors[Role.VOLUNTEER])
    with transaction(engine) as session:
        propose_result(
            session, actors[Role.VOLUNTEER], code, **COCAINE_WITH_LEVAMISOLE, expected_version=None
        )
    return code


def reviewed_sample(engine: Engine, actors: dict[Role, Actor]) -> str:
    """A cocaine sample with levamisole, proposed by the volunteer, confirmed by the coordinator."""
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        confirm_result(session, actors[Role.COORDINATOR], code, expected_version=1)
    return code


def plate_proposal(engine: Engine, analyst: Actor, store: PhotoStore) -> str:
    """A codeine sample run on a photographed TA plate, proposed from the identification draft."""
    plate, sample = accepted_plate(engine, analyst, store)
    with transaction(engine) as session:
        draft = identify_plate(session, analyst, plate.id, library()).drafts[sample.code]
        propose_result(
            session, analyst, sample.code, **proposal_from_draft(draft), expected_version=None
        )
    return sample.code


def draft_finding(
    hrf: float, verdict: Verdict, substance: str | None, *, expected: bool = False
) -> Finding:
    """One spot of a draft, as the identification would describe it."""
    band = Band(lane_index=2, hrf=hrf, spots={}, photographed=("uv254",))
    candidates = (
        ()
        if substance is None
        else (Candidate(substance, 0.9, 12.0, hrf, True, False, (f"co-spotted {substance}",)),)
    )
    spot = SpotIdentification(band, None, verdict, candidates)
    return Finding(spot, substance, expected, alarming=False, purity="high" if expected else None)


def cocaine_draft(
    category: ResultCategory, *findings: Finding, code: str = "7K3M-9QXR-T"
) -> ResultDraft:
    """A draft for a sample sold as cocaine, with one note for the reviewer."""
    return ResultDraft(code, "cocaine", category, findings, notes=("front uneven",))
