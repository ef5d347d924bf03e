"""The demo plate: laid out, photographed, analysed and accepted quickly, and it identifies."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.plates.demo import load_demo_plate
from labsys.plates.identification import identify_plate
from labsys.storage.photos import PhotoStore
from tests.plates.plate_photos import library


def test_demo_plate_is_fast_and_identifies_codeine(
    sqlite_engine: Engine, sqlite_actors: dict[Role, Actor], tmp_path: Path
) -> None:
    volunteer = sqlite_actors[Role.VOLUNTEER]
    started = time.perf_counter()
    plate = load_demo_plate(sqlite_engine, volunteer, library(), PhotoStore(tmp_path))
    assert time.perf_counter() - started < 5
    (sample_lane,) = [lane for lane in plate.lanes if lane.sample is not None]
    assert sample_lane.sample is not None and sample_lane.sample.state == "analysed"
    with transaction(sqlite_engine) as session:
        findings = identify_plate(session, volunteer, plate.id, library())
    (draft,) = findings.drafts.values()
    assert [f.substance for f in draft.findings] == ["codeine"]
    assert findings.identification.correction is not None
