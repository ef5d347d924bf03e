"""Laying out plates and finding them again; the helpers every plate change shares.

A plate's layout is validated by :mod:`labsys.tlc.layout` (the same rules as a layout file), and
the samples spotted on it move to "on plate" in the same transaction, each move audited.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.db import utcnow
from labsys.errors import ConcurrentEdit, NotFound, ValidationError
from labsys.plates.models import Plate, PlateLane, PlatePhoto
from labsys.samples.models import Sample
from labsys.samples.search import get_sample
from labsys.samples.transitions import move_sample
from labsys.samples.workflow import State
from labsys.text import clean_text
from labsys.tlc.layout import PlateLayout, parse_layout
from labsys.tlc.references import ReferenceLibrary

PLATEABLE_STATES = (State.QUEUED, State.RETEST)
"""States a sample may be spotted from (a retest goes back through the queue)."""

LIST_LIMIT = 200

_EVERYTHING = (
    selectinload(Plate.lanes).selectinload(PlateLane.sample),
    selectinload(Plate.photos).selectinload(PlatePhoto.analyses),
)
"""Loader options for what pages read after the session has closed."""


def create_plate(
    session: Session, actor: Actor, layout: PlateLayout, library: ReferenceLibrary
) -> Plate:
    """Record a laid-out plate and move its samples to "on plate".

    Parameters
    ----------
    layout
        System, plate, lanes; ``layout.plate_id`` becomes the plate's label.
    library
        Checks the system and the reference substances (canonical names are stored).

    Raises
    ------
    ValidationError
        Unknown system or substance, a sample spotted twice, or a sample not waiting for a plate.
    NotFound
        A sample code that does not exist.
    """
    require(actor, Permission.LAB_WORK)
    layout = layout.check_against(library)
    plate_type = clean_text(layout.plate_type, "Plate type", max_length=60, required=True)
    lot = clean_text(layout.lot, "Plate lot", max_length=40) or None
    codes = [lane.sample_code for lane in layout.lanes if lane.sample_code is not None]
    samples = [get_sample(session, actor, code) for code in codes]
    _refuse_repeats(samples)
    for sample in samples:
        if State(sample.state) not in PLATEABLE_STATES:
            raise ValidationError(
                f"Sample {sample.code} is {State(sample.state).label!r}: only queued or retest "
                "samples can be put on a plate."
            )
    by_code = dict(zip(codes, samples, strict=True))
    plate = Plate(
        label=layout.plate_id,
        system=layout.system,
        plate_type=plate_type,
        lot=lot,
        development_distance_mm=layout.development_distance_mm,
        developed_on=layout.date,
        visualisations=list(layout.visualisations),
        created_by_id=actor.id,
        lanes=[
            PlateLane(
                index=lane.index,
                sample=by_code[lane.sample_code] if lane.sample_code else None,
                reference_substance=lane.reference.substance if lane.reference else None,
                amount_ug=lane.reference.amount_ug if lane.reference else lane.spotted_amount_ug,
            )
            for lane in layout.lanes
        ],
    )
    session.add(plate)
    session.flush()
    record(
        session,
        actor,
        "plate",
        plate.id,
        "plate_created",
        details=layout.model_dump(mode="json", exclude_none=True),
    )
    for sample in samples:
        if sample.state == State.RETEST:
            move_sample(session, actor, sample.code, State.QUEUED, expected_version=sample.version)
        move_sample(session, actor, sample.code, State.ON_PLATE, expected_version=sample.version)
    return plate


def _refuse_repeats(samples: list[Sample]) -> None:
    seen: set[str] = set()
    for sample in samples:
        if sample.code in seen:
            raise ValidationError(f"Sample {sample.code} is in two lanes; spot it once per plate.")
        seen.add(sample.code)


def get_plate(session: Session, actor: Actor, plate_id: int) -> Plate:
    """The plate with its lanes, samples, photos and analyses loaded (pages read them later)."""
    require(actor, Permission.LAB_WORK)
    plate = session.scalar(select(Plate).where(Plate.id == plate_id).options(*_EVERYTHING))
    if plate is None:
        raise NotFound(f"There is no plate number {plate_id}.")
    return plate


def list_plates(session: Session, actor: Actor, *, limit: int = LIST_LIMIT) -> list[Plate]:
    """Plates, most recently developed first, for pick lists.

    Lanes, photos and analyses are not loaded (stored analyses are large); open a plate with
    :func:`get_plate`.
    """
    require(actor, Permission.LAB_WORK)
    statement = select(Plate).order_by(Plate.developed_on.desc(), Plate.id.desc()).limit(limit)
    return list(session.scalars(statement))


def plate_layout(plate: Plate, *, also: Iterable[str] = ()) -> PlateLayout:
    """The plate as a :class:`PlateLayout`, the form identification and reference import take.

    ``also`` adds visualisation names (a photo under a new stain), checked by the layout's rules.
    """
    visualisations = list(plate.visualisations)
    visualisations += [name for name in also if name not in visualisations]
    return parse_layout(
        {
            "plate_id": plate.label,
            "system": plate.system,
            "plate_type": plate.plate_type,
            "lot": plate.lot,
            "development_distance_mm": plate.development_distance_mm,
            "date": plate.developed_on,
            "visualisations": visualisations,
            "lanes": [_lane_data(lane) for lane in plate.lanes],
        }
    )


def _lane_data(lane: PlateLane) -> dict[str, object]:
    if lane.sample is not None:
        return {
            "index": lane.index,
            "sample_code": lane.sample.code,
            "spotted_amount_ug": lane.amount_ug,
        }
    return {
        "index": lane.index,
        "reference": {"substance": lane.reference_substance, "amount_ug": lane.amount_ug},
    }


def touch_plate(session: Session, plate: Plate, expected_version: int) -> None:
    """Bump the plate's version for a change to it or its photos, refusing a concurrent edit.

    Checked against what the person saw and, in the UPDATE itself, against a race.
    """
    stale = ConcurrentEdit(
        f"Plate {plate.label} was changed by someone else since you opened it. Nothing was "
        "overwritten: reload the plate and try again."
    )
    if plate.version != expected_version:
        raise stale
    plate.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise stale from None


def advance_samples(
    session: Session, actor: Actor, plate: Plate, current: State, target: State
) -> list[str]:
    """Move the plate's samples that are in ``current`` to ``target``; return their codes.

    Samples elsewhere in the workflow (already further, withdrawn) are left where they are.
    """
    moved = []
    for lane in plate.lanes:
        sample = lane.sample
        if sample is not None and sample.state == current:
            move_sample(session, actor, sample.code, target, expected_version=sample.version)
            moved.append(sample.code)
    return moved
