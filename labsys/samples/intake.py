"""Registering a sample at intake: validate what was typed, issue a code, record the event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.db import utcnow
from labsys.errors import ValidationError
from labsys.samples.codes import generate_code
from labsys.samples.models import Form, Sample
from labsys.samples.workflow import State
from labsys.text import clean_text, refuse_personal_data

EARLIEST_DATE = date(2000, 1, 1)
NOTES_MAX = 500
LAB_NOTES_WARNING = (
    "Short lab notes only. No names, nicknames, phone numbers or anything that could identify "
    "the person."
)


@dataclass
class Intake:
    """What is recorded when a sample arrives: all about the sample, nothing about the person."""

    sold_as: str
    form: Form | str
    site: str
    received_on: date = field(default_factory=lambda: utcnow().date())
    monitoring_consent: bool = False
    colour: str | None = None
    logo: str | None = None
    shape: str | None = None
    lab_notes: str | None = None


def validate_intake(intake: Intake, *, today: date | None = None) -> Intake:
    """Return a cleaned copy of ``intake`` or raise :class:`ValidationError` naming the field."""
    today = today or utcnow().date()
    try:
        form = Form(str(intake.form).strip().lower())
    except ValueError:
        choices = ", ".join(f.value for f in Form)
        raise ValidationError(f"Form must be one of: {choices}.") from None
    if not isinstance(intake.received_on, date):
        raise ValidationError("Date received must be a date.")
    if intake.received_on > today + timedelta(days=1):
        raise ValidationError("Date received cannot be in the future.")
    if intake.received_on < EARLIEST_DATE:
        raise ValidationError(f"Date received cannot be before {EARLIEST_DATE.isoformat()}.")
    notes = clean_text(intake.lab_notes, "Lab notes", max_length=NOTES_MAX)
    refuse_personal_data(notes, "Lab notes")
    texts: dict[str, str] = {}
    for name, label, limit, required in (
        ("sold_as", "Sold as", 80, True),
        ("site", "Site", 80, True),
        ("colour", "Colour", 40, False),
        ("logo", "Logo", 80, False),
        ("shape", "Shape", 40, False),
    ):
        # Every typed field reaches exports and alerts, so none may carry contact details.
        texts[name] = clean_text(getattr(intake, name), label, max_length=limit, required=required)
        refuse_personal_data(texts[name], label)
    return Intake(
        sold_as=texts["sold_as"].lower(),
        form=form,
        site=texts["site"],
        received_on=intake.received_on,
        monitoring_consent=bool(intake.monitoring_consent),
        colour=texts["colour"] or None,
        logo=texts["logo"] or None,
        shape=texts["shape"] or None,
        lab_notes=notes or None,
    )


def _unused_code(session: Session) -> str:
    # 40 random bits make a clash vanishingly rare; the unique constraint is the real guarantee.
    while True:
        code = generate_code()
        if session.scalar(select(Sample.id).where(Sample.code == code)) is None:
            return code


def register(session: Session, actor: Actor, intake: Intake) -> Sample:
    """Register a new sample in state 'received' and return it (with its new code)."""
    require(actor, Permission.REGISTER_SAMPLE)
    clean = validate_intake(intake)
    sample = Sample(
        code=_unused_code(session),
        sold_as=clean.sold_as,
        form=str(clean.form),
        colour=clean.colour,
        logo=clean.logo,
        shape=clean.shape,
        site=clean.site,
        received_on=clean.received_on,
        monitoring_consent=clean.monitoring_consent,
        lab_notes=clean.lab_notes,
        state=State.RECEIVED.value,
        created_by_id=actor.id,
    )
    session.add(sample)
    session.flush()
    record(session, actor, "sample", sample.id, "registered", to_state=State.RECEIVED.value)
    return sample
