"""Four-eyes review: an analyst proposes a sample's result, someone else confirms or corrects it.

Nothing is reported that only one person has seen: whoever proposed a result can never confirm,
correct or mark it inconclusive themselves. Corrections keep the result as proposed and as corrected
in the audit trail. Each decision names the result version the reviewer saw, so two reviewers acting
at once cannot overwrite each other (the second is told, nothing changes). An inconclusive result
goes back to the plate (retest) or out to an external lab (confirmation); the confirmation, when it
comes back, is recorded against the sample, ready for a new proposal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.db import utcnow
from labsys.errors import ConcurrentEdit, NotFound, PermissionDenied, ValidationError
from labsys.monitoring.alerts import evaluate_for_result
from labsys.results.categories import ResultCategory
from labsys.results.findings import (
    ProposedFinding,
    check_category,
    check_findings,
    check_purity,
    check_summary,
    finding_rows,
    library,
    snapshot,
)
from labsys.results.models import ResultStatus, SampleResult
from labsys.results.records import Confirmation
from labsys.samples import State, get_sample, move_sample
from labsys.samples.models import Sample
from labsys.text import clean_text, refuse_personal_data

PROPOSABLE_STATES = frozenset({State.ANALYSED, State.CONFIRMATION_RECEIVED})
"""A result is proposed once the plate is read, or once an external lab has answered."""
GIVEN_STATES = frozenset({State.REVIEWED, State.REPORTED, State.CLOSED})
"""A sample whose result may be given to the person (a sample sent back for correction is not)."""


def result_of(session: Session, sample: Sample) -> SampleResult | None:
    """The sample's result, if one was ever proposed."""
    return session.scalar(select(SampleResult).where(SampleResult.sample_id == sample.id))


def result_version(session: Session, actor: Actor, code: str) -> int | None:
    """The version of the sample's result as it is now (None when none was proposed yet).

    A page remembers it when it shows a proposal button, and the proposal names it.
    """
    result = result_of(session, get_sample(session, actor, code))
    return None if result is None else result.version


def confirmed_result(session: Session, sample: Sample) -> SampleResult:
    """The sample's reviewed result, ready to give to the person; a clear refusal otherwise."""
    result = result_of(session, sample)
    if (
        State(sample.state) not in GIVEN_STATES
        or result is None
        or result.status != ResultStatus.CONFIRMED
        or result.category == ResultCategory.INCONCLUSIVE
    ):
        raise ValidationError(
            f"Sample {sample.code} has no reviewed result to give yet "
            f"(it is {State(sample.state).label!r}); a reviewer must confirm it first."
        )
    return result


def _flush(session: Session, code: str) -> None:
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise ConcurrentEdit(
            f"The result of sample {code} was changed by someone else at the same moment. "
            "Nothing was overwritten: reload it and try again."
        ) from None


def _check_seen(result: SampleResult | None, expected_version: int | None, code: str) -> None:
    """Refuse when the result is not the one the person saw (or appeared since)."""
    current = None if result is None else result.version
    if current != expected_version:
        raise ConcurrentEdit(
            f"The result of sample {code} was changed by someone else since you opened it. "
            "Nothing was overwritten: reload it and try again."
        )


def propose_result(
    session: Session,
    actor: Actor,
    code: str,
    *,
    category: ResultCategory | str,
    findings: Sequence[ProposedFinding],
    purity_band: str | None = None,
    summary: str | None = None,
    expected_version: int | None,
) -> SampleResult:
    """Propose the sample's result for review (replacing any earlier one, e.g. before a retest).

    Parameters
    ----------
    session, actor
        The transaction and the analyst (needs lab work).
    code
        The sample code.
    category, findings, purity_band, summary
        What the result says; see :func:`labsys.results.findings.proposal_from_draft`.
    expected_version
        Version of the sample's current result as the analyst saw it, None if there was none.

    Raises
    ------
    ValidationError, NotFound, ConcurrentEdit, PermissionDenied
        With a message saying what to do.
    """
    require(actor, Permission.LAB_WORK)
    sample = get_sample(session, actor, code)
    if State(sample.state) not in PROPOSABLE_STATES:
        raise ValidationError(
            f"A result is proposed for an analysed sample or once a confirmation came back; "
            f"sample {sample.code} is {State(sample.state).label!r}."
        )
    checked = check_findings(findings)
    category = check_category(category, checked, sample.sold_as)
    purity_band, summary = check_purity(purity_band), check_summary(summary)
    result = result_of(session, sample)
    _check_seen(result, expected_version, sample.code)
    before = None if result is None else snapshot(result)
    if result is None:
        result = SampleResult(sample_id=sample.id)
        session.add(result)
    result.category = category.value
    result.purity_band = purity_band
    result.summary = summary
    result.findings = finding_rows(checked)
    result.status = ResultStatus.PROPOSED.value
    result.proposed_by_id, result.proposed_at = actor.id, utcnow()
    result.reviewed_by_id = result.reviewed_at = None
    _flush(session, sample.code)
    details = {"after": snapshot(result)} | ({"before": before} if before else {})
    record(session, actor, "sample", sample.id, "result_proposed", details=details)
    return result


def _open_for_review(
    session: Session, actor: Actor, code: str, expected_version: int
) -> tuple[Sample, SampleResult]:
    """The sample and its proposed result, once the four-eyes and version checks pass."""
    require(actor, Permission.REVIEW)
    sample = get_sample(session, actor, code)
    result = result_of(session, sample)
    if result is not None:  # a reviewer who saw an older version is told so, first
        _check_seen(result, expected_version, sample.code)
    if result is None or result.status != ResultStatus.PROPOSED:
        raise NotFound(f"Sample {sample.code} has no result waiting for review.")
    if result.proposed_by_id == actor.id:
        raise PermissionDenied(
            f"You proposed the result of sample {sample.code}, so someone else must review it "
            "(four eyes: nobody reviews their own proposal)."
        )
    return sample, result


def _reviewed(session: Session, actor: Actor, sample: Sample, result: SampleResult) -> None:
    """Mark the result confirmed by ``actor``, move the sample to reviewed, raise any alerts.

    Alerts are raised in the same transaction, so a life-threatening find reaches the
    coordinators the moment its result is confirmed, or not at all if the review fails.
    """
    if result.category == ResultCategory.INCONCLUSIVE:
        raise ValidationError(
            "An inconclusive result is not reported: mark it inconclusive, then send the sample "
            "to retest or for confirmation."
        )
    result.status = ResultStatus.CONFIRMED.value
    result.reviewed_by_id, result.reviewed_at = actor.id, utcnow()
    _flush(session, sample.code)
    move_sample(
        session,
        actor,
        sample.code,
        State.REVIEWED,
        expected_version=sample.version,
        by_record_service=True,
    )
    evaluate_for_result(session, result.id)


def confirm_result(
    session: Session, actor: Actor, code: str, *, expected_version: int
) -> SampleResult:
    """Confirm a proposed result as it stands; the sample moves to reviewed, ready to report.

    ``expected_version`` is the result version the reviewer looked at.
    """
    sample, result = _open_for_review(session, actor, code, expected_version)
    _reviewed(session, actor, sample, result)
    record(session, actor, "sample", sample.id, "result_confirmed")
    return result


def correct_result(
    session: Session,
    actor: Actor,
    code: str,
    *,
    category: ResultCategory | str,
    findings: Sequence[ProposedFinding],
    reason: str,
    purity_band: str | None = None,
    summary: str | None = None,
    expected_version: int,
) -> SampleResult:
    """Correct a proposed result and confirm it as corrected; before and after are audited.

    The correction is the reviewer's confirmation of the corrected result: two people have looked
    at it, and the analyst sees what was changed and why on the sample's timeline.
    """
    sample, result = _open_for_review(session, actor, code, expected_version)
    why = clean_text(reason, "Reason", max_length=500, required=True)
    refuse_personal_data(why, "Reason")
    checked = check_findings(findings)
    category = check_category(category, checked, sample.sold_as)
    before = snapshot(result)
    result.category = category.value
    result.purity_band = check_purity(purity_band)
    result.summary = check_summary(summary)
    result.findings = finding_rows(checked)
    _reviewed(session, actor, sample, result)
    record(
        session,
        actor,
        "sample",
        sample.id,
        "result_corrected",
        reason=why,
        details={"before": before, "after": snapshot(result)},
    )
    return result


def mark_inconclusive(
    session: Session, actor: Actor, code: str, *, reason: str, expected_version: int
) -> SampleResult:
    """Decide that a proposed result cannot be reported: the sample moves to inconclusive.

    The proposed findings are removed from the result (they stay in the audit trail's "before"),
    so monitoring counts an inconclusive sample, not substances nobody could confirm.

    The next step is :func:`send_to_retest` or :func:`send_for_confirmation`.
    """
    sample, result = _open_for_review(session, actor, code, expected_version)
    before = snapshot(result)
    result.category = ResultCategory.INCONCLUSIVE.value
    result.findings, result.purity_band = [], None  # unsure findings stay out of monitoring
    result.status = ResultStatus.CONFIRMED.value
    result.reviewed_by_id, result.reviewed_at = actor.id, utcnow()
    _flush(session, sample.code)
    move_sample(
        session,
        actor,
        sample.code,
        State.INCONCLUSIVE,
        expected_version=sample.version,
        reason=reason,
    )
    record(session, actor, "sample", sample.id, "result_inconclusive", details={"before": before})
    return result


def send_to_retest(
    session: Session, actor: Actor, code: str, *, reason: str, expected_version: int
) -> Sample:
    """Put an inconclusive sample back in the lab's queue (``expected_version``: the sample's)."""
    return move_sample(
        session, actor, code, State.RETEST, expected_version=expected_version, reason=reason
    )


def send_for_confirmation(
    session: Session, actor: Actor, code: str, *, external_lab: str, expected_version: int
) -> Confirmation:
    """Send an inconclusive sample to an external lab (GC-MS) for a confirmatory analysis.

    ``expected_version`` is the sample's version as the person saw it.
    """
    lab = clean_text(external_lab, "External lab", max_length=120, required=True)
    refuse_personal_data(lab, "External lab")
    sample = move_sample(
        session,
        actor,
        code,
        State.SENT_FOR_CONFIRMATION,
        expected_version=expected_version,
        reason=f"sent to {lab}",
    )
    confirmation = Confirmation(sample_id=sample.id, external_lab=lab, sent_by_id=actor.id)
    session.add(confirmation)
    session.flush()
    return confirmation


def record_confirmation(
    session: Session,
    actor: Actor,
    code: str,
    *,
    external_lab: str,
    findings: Sequence[str],
    received_on: date,
    reference: str,
    expected_version: int,
) -> Confirmation:
    """Record what the external lab found; the sample moves to confirmation received.

    Parameters
    ----------
    external_lab
        The lab that answered (usually the one it was sent to).
    findings
        Substances the lab reported; library names where the library knows them, others kept as
        written (a confirmatory method sees more than TLC). Empty when it found nothing.
    received_on
        When the report arrived (not in the future).
    reference
        The external lab's report number.
    expected_version
        The sample's version as the person saw it.
    """
    lab = clean_text(external_lab, "External lab", max_length=120, required=True)
    ref = clean_text(reference, "Report reference", max_length=80, required=True)
    if received_on > utcnow().date():
        raise ValidationError("The date the confirmation was received cannot be in the future.")
    names = []
    for name in findings:
        text = clean_text(name, "Substance", max_length=80, required=True)
        known = library().find(text)
        names.append(known.name if known else text)
    for text in (lab, *names):  # the report number is the lab's, not a person's
        refuse_personal_data(text, "Confirmation")
    sample = move_sample(
        session,
        actor,
        code,
        State.CONFIRMATION_RECEIVED,
        expected_version=expected_version,
        by_record_service=True,
    )
    confirmation = session.scalar(
        select(Confirmation)
        .where(Confirmation.sample_id == sample.id, Confirmation.received_on.is_(None))
        .order_by(Confirmation.id.desc())
    ) or Confirmation(sample_id=sample.id, sent_by_id=actor.id)
    session.add(confirmation)
    confirmation.external_lab = lab
    confirmation.received_on, confirmation.reference = received_on, ref
    confirmation.findings = list(dict.fromkeys(names))
    confirmation.recorded_by_id, confirmation.recorded_at = actor.id, utcnow()
    session.flush()
    record(
        session,
        actor,
        "sample",
        sample.id,
        "confirmation_recorded",
        details={"lab": lab, "reference": ref, "findings": confirmation.findings},
    )
    return confirmation
