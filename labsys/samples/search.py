"""Finding samples: by code (typed or scanned) and by filters for the sample list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from labsys.auth import Actor, Permission, require
from labsys.errors import NotFound, ValidationError
from labsys.samples.codes import ALPHABET, DATA_LENGTH, normalise_code
from labsys.samples.models import Sample
from labsys.samples.workflow import State

LIST_LIMIT = 500
MIN_CODE_PREFIX = 2


def get_sample(session: Session, actor: Actor, code: str) -> Sample:
    """The sample with this code; a mistyped code is reported as such, not as "not found"."""
    require(actor, Permission.VIEW_SAMPLES)
    normalised = normalise_code(code)
    sample = session.scalar(select(Sample).where(Sample.code == normalised))
    if sample is None:
        raise NotFound(f"No sample has the code {normalised}.")
    return sample


def _code_prefix(text: str) -> str:
    compact = "".join(ch for ch in text.upper() if ch not in " -_")
    compact = compact.replace("O", "0").replace("I", "1").replace("L", "1")
    if any(ch not in ALPHABET for ch in compact):
        raise ValidationError("A sample code has only letters and digits.")
    groups = [compact[:4], compact[4:DATA_LENGTH], compact[DATA_LENGTH:]]
    return "-".join(g for g in groups if g)


def list_samples(
    session: Session,
    actor: Actor,
    *,
    states: list[State] | None = None,
    site: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    code: str | None = None,
    limit: int = LIST_LIMIT,
) -> list[Sample]:
    """Samples matching every given filter, newest first.

    ``code`` may be the start of a code (at least two symbols) or a whole code, which is checked.
    """
    require(actor, Permission.VIEW_SAMPLES)
    if received_from and received_to and received_from > received_to:
        raise ValidationError("The 'from' date is after the 'to' date.")
    statement = select(Sample)
    if code and code.strip():
        compact_length = len("".join(ch for ch in code if ch.isalnum()))
        if compact_length == DATA_LENGTH + 1:
            statement = statement.where(Sample.code == normalise_code(code))
        elif compact_length >= MIN_CODE_PREFIX:
            statement = statement.where(Sample.code.startswith(_code_prefix(code), autoescape=True))
        else:
            raise ValidationError(
                f"Type at least {MIN_CODE_PREFIX} symbols of the code to search by code."
            )
    if states:
        statement = statement.where(Sample.state.in_([s.value for s in states]))
    if site:
        statement = statement.where(Sample.site == site)
    if received_from:
        statement = statement.where(Sample.received_on >= received_from)
    if received_to:
        statement = statement.where(Sample.received_on <= received_to)
    statement = statement.order_by(Sample.received_on.desc(), Sample.id.desc()).limit(limit)
    return list(session.scalars(statement))


def known_sites(session: Session, actor: Actor) -> list[str]:
    """Sites that have registered samples, for pick lists."""
    require(actor, Permission.VIEW_SAMPLES)
    return list(session.scalars(select(Sample.site).distinct().order_by(Sample.site)))
