"""Attaching a photo to a plate: check it, store it durably, then record it.

The order matters: the file is on disk (fsynced, renamed into place) before the database row is
written, so a crash never leaves a row pointing at a missing or half-written photo.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.db import run_in_transaction
from labsys.errors import ValidationError
from labsys.plates.models import PlatePhoto
from labsys.plates.service import advance_samples, get_plate, plate_layout, touch_plate
from labsys.samples.workflow import State
from labsys.storage.photos import PhotoCheck, PhotoStore, StoredPhoto, check_photo

MAX_VISUALISATION_LENGTH = 40


def attach_photo(
    engine: Engine,
    actor: Actor,
    plate_id: int,
    visualisation: str,
    data: bytes,
    *,
    expected_version: int,
    store: PhotoStore,
) -> tuple[PlatePhoto, bool]:
    """Store a photo of a plate under a visualisation and move its samples to "imaged".

    A second photo under the same visualisation replaces the first as the current one (the first
    stays, with its analyses, for the record).

    Parameters
    ----------
    visualisation
        ``uv254``, ``uv366`` or a stain name; a new one is added to the plate's list.
    data
        The uploaded file's bytes, checked by content before anything is stored.
    expected_version
        The plate version the person saw (optimistic locking).

    Returns
    -------
    (PlatePhoto, bool)
        The new photo row, and True when the same photo was already in the store.

    Raises
    ------
    ImageError
        The file is not an acceptable photo; nothing was stored.
    ValidationError, ConcurrentEdit
        A badly named visualisation, or the plate changed meanwhile.
    """
    require(actor, Permission.LAB_WORK)
    if len(visualisation) > MAX_VISUALISATION_LENGTH:
        raise ValidationError(
            f"Visualisation: at most {MAX_VISUALISATION_LENGTH} characters, e.g. uv254 or "
            "iodoplatinate."
        )
    run_in_transaction(
        engine,
        lambda session: plate_layout(get_plate(session, actor, plate_id), also=[visualisation]),
    )  # refuse a wrong plate or name before storing anything
    check = check_photo(data)
    stored = store.save(data)
    photo = run_in_transaction(
        engine,
        lambda session: _record_photo(
            session, actor, plate_id, visualisation, check, stored, expected_version
        ),
    )
    return photo, stored.duplicate


def _record_photo(
    session: Session,
    actor: Actor,
    plate_id: int,
    visualisation: str,
    check: PhotoCheck,
    stored: StoredPhoto,
    expected_version: int,
) -> PlatePhoto:
    plate = get_plate(session, actor, plate_id)
    touch_plate(session, plate, expected_version)
    replaced = [p for p in plate.photos if p.is_current and p.visualisation == visualisation]
    for previous in replaced:
        previous.is_current = False
    session.flush()
    if visualisation not in plate.visualisations:
        plate.visualisations = [*plate.visualisations, visualisation]
    photo = PlatePhoto(
        plate=plate,
        visualisation=visualisation,
        is_current=True,
        sha256=stored.sha256,
        path=stored.path,
        byte_size=stored.byte_size,
        width=check.width,
        height=check.height,
        uploaded_by_id=actor.id,
    )
    session.add(photo)
    session.flush()
    record(
        session,
        actor,
        "plate",
        plate.id,
        "photo_attached",
        details={
            "photo_id": photo.id,
            "visualisation": visualisation,
            "sha256": stored.sha256,
            "duplicate": stored.duplicate,
            "replaces": [p.id for p in replaced],
        },
    )
    advance_samples(session, actor, plate, State.ON_PLATE, State.IMAGED)
    return photo
