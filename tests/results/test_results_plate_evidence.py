"""From a photographed plate to a proposed result, and the plate evidence the reviewer sees."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.results.plate_evidence import overlay_png, plate_evidence
from labsys.results.review import result_of
from labsys.samples import get_sample
from labsys.storage.photos import PhotoStore
from tests.results.lab import plate_proposal


def test_a_plate_draft_is_proposed_and_its_plate_shown_to_the_reviewer(
    sqlite_engine: Engine, sqlite_actors: dict[Role, Actor], tmp_path: Path
) -> None:
    store, reviewer = PhotoStore(tmp_path), sqlite_actors[Role.COORDINATOR]
    code = plate_proposal(sqlite_engine, sqlite_actors[Role.VOLUNTEER], store)
    with transaction(sqlite_engine) as session:
        result = result_of(session, get_sample(session, reviewer, code))
        assert result is not None
        assert "codeine" in [f.substance for f in result.findings]
        assert all(f.evidence for f in result.findings)
        (evidence,) = plate_evidence(session, reviewer, code)
    assert evidence.lane == 1
    (photo,) = evidence.photos
    assert f"sample {code}" in {row["content"] for row in photo.rf_table}
    assert overlay_png(photo, store).startswith(b"\x89PNG")
