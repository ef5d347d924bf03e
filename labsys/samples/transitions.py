"""Moving a sample through the workflow and correcting its intake, safely under concurrency.

Each change names the version the person saw. If someone else changed the sample meanwhile, the
change is refused with :class:`ConcurrentEdit` and nothing is overwritten. The version check is
done twice: against what the person saw, and by the database (SQLAlchemy's version counter in the
UPDATE's WHERE clause) against a race between reading and writing.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.errors import ConcurrentEdit, InvalidTransition, ValidationError
from labsys.samples.intake import Intake, validate_intake
from labsys.samples.models import Sample
from labsys.samples.search import get_sample
from labsys.samples.workflow import (
    MANAGED_TARGETS,
    REQUIRED_PERMISSION,
    State,
    check_transition,
    needs_reason,
)
from labsys.text import clean_text, refuse_personal_data

EDITABLE_STATES = frozenset({State.RECEIVED, State.QUEUED})
FORGETTABLE_FIELDS = frozenset({"lab_notes"})
"""Free text that retention purges: a correction of it is audited, but not its words, because
the audit trail is append-only and would otherwise keep the text for ever."""
TEXT_NOT_KEPT = "(text not kept)"


def _audited_value(field: str, value: object) -> str | None:
    if value is None:
        return None
    return TEXT_NOT_KEPT if field in FORGETTABLE_FIELDS else str(value)


def _check_version(sample: Sample, expected_version: int) -> None:
    if sample.version != expected_version:
        raise ConcurrentEdit(
            f"Sample {sample.code} was changed by someone else since you opened it "
            f"(it is now {State(sample.state).label!r}). Nothing was overwritten: "
            "reload the sample and try again."
        )


def _flush(session: Session, sample: Sample) -> None:
    code = sample.code  # read first: a failed flush expires the object, and reloading it fails
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentEdit(
            f"Sample {code} was changed by someone else at the same moment. "
            "Nothing was overwritten: reload the sample and try again."
        ) from None


def move_sample(
    session: Session,
    actor: Actor,
    code: str,
    target: State | str,
    *,
    expected_version: int,
    reason: str | None = None,
    by_record_service: bool = False,
) -> Sample:
    """Move the sample ``code`` to ``target`` and record who, when, from → to and why.

    ``by_record_service`` is True only in the review and conversation services, which write the
    record a managed state stands for (see :data:`~labsys.samples.workflow.MANAGED_TARGETS`).
    """
    try:
        target = State(target)
    except ValueError:
        raise ValidationError(f"{target!r} is not a workflow state.") from None
    sample = get_sample(session, actor, code)
    require(actor, REQUIRED_PERMISSION[target])
    _check_version(sample, expected_version)
    current = State(sample.state)
    check_transition(current, target)
    if target in MANAGED_TARGETS and not by_record_service:
        raise InvalidTransition(
            f"A sample becomes {target.label!r} when {MANAGED_TARGETS[target]}, not by hand."
        )
    why = clean_text(reason, "Reason", max_length=500, required=needs_reason(current, target))
    refuse_personal_data(why, "Reason")
    sample.state = target.value
    _flush(session, sample)
    record(
        session,
        actor,
        "sample",
        sample.id,
        "state_changed",
        from_state=current.value,
        to_state=target.value,
        reason=why or None,
    )
    return sample


def update_intake(
    session: Session, actor: Actor, code: str, intake: Intake, *, expected_version: int
) -> Sample:
    """Correct what was recorded at intake, before the sample is on a plate; audited per field."""
    require(actor, Permission.REGISTER_SAMPLE)
    sample = get_sample(session, actor, code)
    _check_version(sample, expected_version)
    if State(sample.state) not in EDITABLE_STATES:
        raise ValidationError(
            f"Intake details can only be corrected before the sample is on a plate "
            f"(sample {sample.code} is {State(sample.state).label!r})."
        )
    clean = asdict(validate_intake(intake))
    clean["form"] = str(clean["form"])
    changes = {
        name: [getattr(sample, name), value]
        for name, value in clean.items()
        if getattr(sample, name) != value
    }
    if not changes:
        return sample
    for name, (_, value) in changes.items():
        setattr(sample, name, value)
    _flush(session, sample)
    audit_changes = {
        name: [_audited_value(name, value) for value in pair] for name, pair in changes.items()
    }
    record(session, actor, "sample", sample.id, "intake_corrected", details=audit_changes)
    return sample
