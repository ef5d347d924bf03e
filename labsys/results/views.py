"""What the review page shows, as plain values computed outside Streamlit (and tested there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from labsys.auth import Actor, Permission, User, require
from labsys.errors import NotFound
from labsys.results.categories import ResultCategory
from labsys.results.models import ResultStatus, SampleResult
from labsys.results.records import Confirmation
from labsys.results.review import PROPOSABLE_STATES, result_of
from labsys.samples import State, get_sample
from labsys.samples.models import Sample
from labsys.samples.views import sample_details
from labsys.tlc.draft import TLC_CAVEAT

WHEN = "%Y-%m-%d %H:%M UTC"


@dataclass(frozen=True)
class QueueRow:
    """One proposed result waiting for review."""

    code: str
    sold_as: str
    category: str
    proposed_by: str
    proposed_at: str
    findings: int
    own: bool
    """True when the reviewer proposed it themselves (and so cannot review it)."""


@dataclass(frozen=True)
class FindingEvidence:
    """One finding with what supports it."""

    substance: str
    kind: str
    confidence: str
    hrf: float | None
    amount_mg: float | None
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ConfirmationRow:
    """A sample sent to an external lab, and its answer once recorded."""

    code: str
    external_lab: str
    sent_at: str
    received_on: date | None
    reference: str | None
    findings: tuple[str, ...]


@dataclass(frozen=True)
class ReviewView:
    """One sample's result as the reviewer sees it."""

    code: str
    state: State
    sample_version: int
    intake: dict[str, str]
    category: ResultCategory
    status: ResultStatus
    purity_band: str | None
    summary: str | None
    result_version: int
    proposed_by: str
    proposed_at: str
    findings: tuple[FindingEvidence, ...]
    confirmations: tuple[ConfirmationRow, ...]
    own: bool
    caveat: str = TLC_CAVEAT

    @property
    def awaiting_review(self) -> bool:
        """True while the result can be confirmed, corrected or marked inconclusive."""
        return self.status is ResultStatus.PROPOSED and self.state in PROPOSABLE_STATES


def _username(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.username if user else "—"


def review_queue(session: Session, actor: Actor) -> list[QueueRow]:
    """Proposed results waiting for review, oldest first (first come, first reviewed)."""
    require(actor, Permission.REVIEW)
    rows = session.execute(
        select(Sample, SampleResult)
        .join(SampleResult, SampleResult.sample_id == Sample.id)
        .where(
            SampleResult.status == ResultStatus.PROPOSED.value,
            Sample.state.in_([s.value for s in PROPOSABLE_STATES]),
        )
        .order_by(SampleResult.proposed_at, SampleResult.id)
    )
    return [
        QueueRow(
            code=sample.code,
            sold_as=sample.sold_as,
            category=ResultCategory(result.category).label,
            proposed_by=_username(session, result.proposed_by_id),
            proposed_at=result.proposed_at.strftime(WHEN),
            findings=len(result.findings),
            own=result.proposed_by_id == actor.id,
        )
        for sample, result in rows
    ]


def _confirmation_row(code: str, confirmation: Confirmation) -> ConfirmationRow:
    return ConfirmationRow(
        code=code,
        external_lab=confirmation.external_lab,
        sent_at=confirmation.sent_at.strftime(WHEN),
        received_on=confirmation.received_on,
        reference=confirmation.reference,
        findings=tuple(confirmation.findings or ()),
    )


def review_view(session: Session, actor: Actor, code: str) -> ReviewView:
    """The sample's intake, its result with the evidence for each finding, and confirmations."""
    require(actor, Permission.REVIEW)
    sample = get_sample(session, actor, code)
    result = result_of(session, sample)
    if result is None:
        raise NotFound(f"No result has been proposed for sample {sample.code} yet.")
    confirmations = session.scalars(
        select(Confirmation).where(Confirmation.sample_id == sample.id).order_by(Confirmation.id)
    )
    return ReviewView(
        code=sample.code,
        state=State(sample.state),
        sample_version=sample.version,
        intake=sample_details(sample),
        category=ResultCategory(result.category),
        status=ResultStatus(result.status),
        purity_band=result.purity_band,
        summary=result.summary,
        result_version=result.version,
        proposed_by=_username(session, result.proposed_by_id),
        proposed_at=result.proposed_at.strftime(WHEN),
        findings=tuple(
            FindingEvidence(
                substance=f.substance,
                kind=f.kind,
                confidence=f.confidence,
                hrf=f.hrf,
                amount_mg=f.amount_mg,
                evidence=tuple(f.evidence or ()),
            )
            for f in result.findings
        ),
        confirmations=tuple(_confirmation_row(sample.code, c) for c in confirmations),
        own=result.proposed_by_id == actor.id,
    )


class Waiting(NamedTuple):
    """A sample waiting for a decision, with the version the decision must name."""

    code: str
    version: int
    sold_as: str


def samples_in(session: Session, actor: Actor, state: State) -> list[Waiting]:
    """Every sample in ``state``, oldest change first.

    The review page lists inconclusive samples (to retest or send out) and samples sent for
    confirmation (to record the answer) with it.
    """
    require(actor, Permission.REVIEW)
    rows = session.execute(
        select(Sample.code, Sample.version, Sample.sold_as)
        .where(Sample.state == state.value)
        .order_by(Sample.updated_at, Sample.id)
    )
    return [Waiting(*row) for row in rows]


def latest_confirmation(session: Session, actor: Actor, code: str) -> ConfirmationRow | None:
    """The external lab's most recent answer about sample ``code``, if one was recorded."""
    require(actor, Permission.REVIEW)
    sample = get_sample(session, actor, code)
    confirmation = session.scalar(
        select(Confirmation)
        .where(Confirmation.sample_id == sample.id, Confirmation.received_on.is_not(None))
        .order_by(Confirmation.id.desc())
    )
    return None if confirmation is None else _confirmation_row(sample.code, confirmation)
