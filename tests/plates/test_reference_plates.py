"""Reference import from a stored photo: coordinators only, traced to the photo, not twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import PermissionDenied, ValidationError
from labsys.plates.reference_plates import import_plate_references
from labsys.storage.photos import PhotoStore
from labsys.tlc.references import load_library
from tests.plates.plate_photos import laid_out_plate, photograph

LIBRARY = Path(__file__).resolve().parents[2] / "reference_spectra"


def test_coordinator_imports_the_reference_lanes_once(
    sqlite_engine: Engine, sqlite_actors: dict[Role, Actor], tmp_path: Path
) -> None:
    coordinator = sqlite_actors[Role.COORDINATOR]
    library = load_library(shutil.copytree(LIBRARY, tmp_path / "library"))
    store = PhotoStore(tmp_path / "data")
    plate, _ = laid_out_plate(sqlite_engine, coordinator)
    with pytest.raises(ValidationError, match="no uv254 photo"):
        import_plate_references(sqlite_engine, coordinator, plate.id, "uv254", library, store=store)
    photo = photograph(sqlite_engine, coordinator, store, plate)
    with pytest.raises(PermissionDenied):
        import_plate_references(
            sqlite_engine, sqlite_actors[Role.VOLUNTEER], plate.id, "uv254", library, store=store
        )
    written = import_plate_references(
        sqlite_engine, coordinator, plate.id, "uv254", library, store=store
    )
    assert sorted(p.name for p in written) == ["chlorprothixene.yaml", "codeine.yaml"]
    codeine = yaml.safe_load((tmp_path / "library/measured/TA/codeine.yaml").read_text())
    (measurement,) = codeine["measurements"]
    assert measurement["photo_sha256"] == photo.sha256
    assert abs(measurement["hrf"] - 33) < 2
    again = import_plate_references(
        sqlite_engine,
        coordinator,
        plate.id,
        "uv254",
        load_library(tmp_path / "library"),
        store=store,
    )
    assert again == []
    with transaction(sqlite_engine) as session:
        actions = [e.action for e in history(session, "plate", plate.id)]
    assert actions.count("references_imported") == 2
