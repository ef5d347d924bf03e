"""Analysing a stored photo, with a person's corrections, and keeping the accepted result.

The analysis itself is :func:`labsys.tlc.analyse_plate`; a person checks the overlay, corrects
origin, front or lanes through hints when needed, and accepts. What is stored is enough to repeat
and to audit it: the algorithm version, every parameter including the hints, and the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.db import run_in_transaction
from labsys.errors import NotFound, ValidationError
from labsys.plates.models import PlateAnalysisRecord, PlatePhoto
from labsys.plates.service import advance_samples, get_plate, plate_layout, touch_plate
from labsys.samples.workflow import State
from labsys.storage.photos import PhotoStore
from labsys.tlc import analyse_plate
from labsys.tlc.results import PlateAnalysis


@dataclass(frozen=True)
class AnalysisHints:
    """A person's corrections, in pixels of the rectified plate (see ``analyse_plate``)."""

    origin_y: float | None = None
    front_y: float | None = None
    lane_centres: tuple[float, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The hints given, JSON-ready (absent ones left out)."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(self).items()
            if value is not None
        }


def _photo(session: Session, actor: Actor, photo_id: int) -> PlatePhoto:
    require(actor, Permission.LAB_WORK)
    photo = session.get(PlatePhoto, photo_id)
    if photo is None:
        raise NotFound(f"There is no plate photo number {photo_id}.")
    return photo


def analyse_photo(
    engine: Engine,
    actor: Actor,
    photo_id: int,
    hints: AnalysisHints,
    *,
    store: PhotoStore,
) -> PlateAnalysis:
    """Analyse a stored photo with as many lanes as the plate's layout (nothing is stored).

    Runs outside any transaction: analysis takes a second or so and must not hold a lock.

    Raises
    ------
    ImageError, PlateNotFound
        The stored photo is damaged, or no plate, origin or front was found in it.
    """
    photo, lane_count = run_in_transaction(engine, lambda s: _photo_and_lanes(s, actor, photo_id))
    data = store.read(photo.path, photo.sha256)
    return analyse_plate(data, lanes=lane_count, **hints.to_dict())


def _photo_and_lanes(session: Session, actor: Actor, photo_id: int) -> tuple[PlatePhoto, int]:
    photo = _photo(session, actor, photo_id)
    return photo, plate_layout(get_plate(session, actor, photo.plate_id)).lane_count


def accept_analysis(
    session: Session,
    actor: Actor,
    photo_id: int,
    analysis: PlateAnalysis,
    hints: AnalysisHints,
    *,
    expected_version: int,
) -> PlateAnalysisRecord:
    """Keep an analysis a person checked, and move the plate's imaged samples to "analysed".

    Raises
    ------
    ValidationError
        The photo has been replaced by a newer one of the same visualisation.
    ConcurrentEdit
        The plate changed since the person opened it.
    """
    photo = _photo(session, actor, photo_id)
    if not photo.is_current:
        raise ValidationError(
            f"This {photo.visualisation} photo was replaced by a newer one; analyse that instead."
        )
    plate = get_plate(session, actor, photo.plate_id)
    touch_plate(session, plate, expected_version)
    lane_count = plate_layout(plate).lane_count
    accepted = PlateAnalysisRecord(
        photo_id=photo.id,
        algorithm_version=analysis.algorithm_version,
        parameters={"lanes": lane_count, **hints.to_dict()},
        result=analysis.to_dict(),
        accepted_by_id=actor.id,
    )
    session.add(accepted)
    session.flush()
    record(
        session,
        actor,
        "plate",
        plate.id,
        "analysis_accepted",
        details={
            "analysis_id": accepted.id,
            "photo_id": photo.id,
            "visualisation": photo.visualisation,
            "algorithm_version": analysis.algorithm_version,
            "parameters": accepted.parameters,
        },
    )
    advance_samples(session, actor, plate, State.IMAGED, State.ANALYSED)
    return accepted
