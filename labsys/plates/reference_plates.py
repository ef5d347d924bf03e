"""Recording the lab's own reference measurements from a stored photo of a reference plate."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labsys.audit import record
from labsys.auth import Actor, Permission, require
from labsys.db import run_in_transaction
from labsys.errors import ValidationError
from labsys.plates.service import get_plate, plate_layout
from labsys.storage.photos import PhotoStore
from labsys.tlc.layout import PlateLayout
from labsys.tlc.reference_import import import_reference_plate
from labsys.tlc.references import ReferenceLibrary


def import_plate_references(
    engine: Engine,
    actor: Actor,
    plate_id: int,
    visualisation: str,
    library: ReferenceLibrary,
    *,
    store: PhotoStore,
) -> list[Path]:
    """Append the reference lanes of a plate's current photo to the library's measurements.

    Returns the library files written (none when the photo was imported before).
    """
    require(actor, Permission.MANAGE_REFERENCES)
    layout, path, sha256 = run_in_transaction(
        engine, lambda session: _current_photo(session, actor, plate_id, visualisation)
    )
    store.read(path, sha256)  # refuse a damaged file before it becomes reference data
    written = import_reference_plate(
        store.data_dir / path, layout, library, visualisation=visualisation
    )
    run_in_transaction(
        engine,
        lambda session: record(
            session,
            actor,
            "plate",
            plate_id,
            "references_imported",
            details={
                "visualisation": visualisation,
                "sha256": sha256,
                "files": [str(p.relative_to(library.path)) for p in written]
                if library.path
                else [],
            },
        ),
    )
    return written


def _current_photo(
    session: Session, actor: Actor, plate_id: int, visualisation: str
) -> tuple[PlateLayout, str, str]:
    plate = get_plate(session, actor, plate_id)
    photo = next(
        (p for p in plate.photos if p.is_current and p.visualisation == visualisation), None
    )
    if photo is None:
        raise ValidationError(f"Plate {plate.label} has no {visualisation} photo.")
    return plate_layout(plate), photo.path, photo.sha256
