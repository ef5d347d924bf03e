"""Retention: notes and photos of long-finished samples go; results and shared photos stay."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine, select

from labsys.audit import AuditEvent
from labsys.auth import Actor, Role
from labsys.cli import EXIT_ERROR, main
from labsys.db import transaction, utcnow
from labsys.plates.models import Plate, PlateLane, PlatePhoto
from labsys.results.models import SampleResult
from labsys.samples import Intake, Sample, State, register, update_intake
from labsys.schema import metadata
from labsys.storage.photos import PhotoStore
from labsys.storage.purge import purge
from tests.storage.lab_fixtures import PATH_TO, advance

LATER = utcnow() + timedelta(days=91)
TO_IMAGED = [State.QUEUED, State.ON_PLATE, State.IMAGED]


def _png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _plate(session, actor: Actor, samples: list[int], photos: list[str]) -> None:  # type: ignore[no-untyped-def]
    plate = Plate(
        label="P",
        system="TLC-A",
        plate_type="silica",
        development_distance_mm=80.0,
        developed_on=date(2026, 11, 1),
        visualisations=["uv254"],
        created_by_id=actor.id,
    )
    plate.lanes = [PlateLane(index=0, reference_substance="cocaine", amount_ug=10.0)] + [
        PlateLane(index=index + 1, sample_id=sample_id) for index, sample_id in enumerate(samples)
    ]
    plate.photos = [
        PlatePhoto(
            visualisation=f"v{index}",
            sha256=path.rsplit("/", 2)[1] + path.rsplit("/", 1)[1],
            path=path,
            byte_size=1,
            width=16,
            height=16,
            uploaded_by_id=actor.id,
        )
        for index, path in enumerate(photos)
    ]
    session.add(plate)


@pytest.fixture
def lab(sqlite_engine: Engine, sqlite_actors: dict[Role, Actor], tmp_path: Path) -> dict[str, str]:
    """Samples A, B (closed, one plate), C (closed) sharing a plate with D (still imaged),
    E (destroyed, no plate), and a reference-only plate. Returns sample codes and photo paths."""
    admin = sqlite_actors[Role.ADMIN]
    store = PhotoStore(tmp_path)
    names = {}
    with transaction(sqlite_engine) as session:
        for name in "ABCDE":
            intake = Intake(sold_as="mdma", form="tablet", site="Gare", lab_notes=f"note {name}")
            names[name] = register(session, admin, intake).code
    for name in "ABCD":
        advance(sqlite_engine, admin, names[name], TO_IMAGED)
    for name in "ABC":
        advance(sqlite_engine, admin, names[name], PATH_TO[State.CLOSED][3:])
    advance(sqlite_engine, admin, names["E"], PATH_TO[State.DESTROYED])
    photos = {
        key: store.save(_png(seed)).path for seed, key in enumerate(["ab", "shared", "cd", "ref"])
    }
    with transaction(sqlite_engine) as session:
        ids = dict(session.execute(select(Sample.code, Sample.id)).all())
        _plate(session, admin, [ids[names["A"]], ids[names["B"]]], [photos["ab"], photos["shared"]])
        _plate(session, admin, [ids[names["C"]], ids[names["D"]]], [photos["cd"], photos["shared"]])
        _plate(session, admin, [], [photos["ref"]])
        session.add(
            SampleResult(sample_id=ids[names["A"]], category="as_expected", proposed_by_id=admin.id)
        )
    return {**names, **{f"photo_{key}": path for key, path in photos.items()}}


def _notes(engine: Engine) -> dict[str, str | None]:
    with transaction(engine) as session:
        return dict(session.execute(select(Sample.code, Sample.lab_notes)).all())


def _purge_events(engine: Engine) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "purged")))


def test_dry_run_and_retention_change_nothing(
    sqlite_engine: Engine, lab: dict[str, str], tmp_path: Path
) -> None:
    notes = _notes(sqlite_engine)
    early = purge(sqlite_engine, tmp_path, older_than_days=90, now=utcnow() + timedelta(days=89))
    assert early.samples == [] and early.photos == []
    report = purge(sqlite_engine, tmp_path, older_than_days=90, dry_run=True, now=LATER)
    assert sorted(report.samples) == sorted(lab[name] for name in "ABCE")
    assert report.photos == [lab["photo_ab"]]
    assert _notes(sqlite_engine) == notes
    assert (tmp_path / lab["photo_ab"]).is_file()
    assert _purge_events(sqlite_engine) == []


def test_purge_blanks_notes_deletes_unneeded_photos_and_audits(
    sqlite_engine: Engine, sqlite_actors: dict[Role, Actor], lab: dict[str, str], tmp_path: Path
) -> None:
    report = purge(sqlite_engine, tmp_path, older_than_days=90, now=LATER)
    assert report.notes_blanked == 4
    notes = _notes(sqlite_engine)
    assert [notes[lab[name]] for name in "ABCDE"] == [None, None, None, "note D", None]
    assert not (tmp_path / lab["photo_ab"]).exists()
    for kept in ("shared", "cd", "ref"):  # still needed by sample D, or a reference plate
        assert (tmp_path / lab[f"photo_{kept}"]).is_file()
    events = _purge_events(sqlite_engine)
    assert len(events) == 4 and {event.actor_name for event in events} == {"system"}
    assert sorted(path for e in events for path in e.details["photos_deleted"]) == [
        lab["photo_ab"],
        lab["photo_ab"],
    ]
    with transaction(sqlite_engine) as session:
        assert session.scalar(select(SampleResult.category)) == "as_expected"  # result kept
    again = purge(sqlite_engine, tmp_path, older_than_days=90, now=LATER)
    assert again.samples == [] and again.photos == []
    # once the last sample on their plates expires, the shared photos go too
    advance(sqlite_engine, sqlite_actors[Role.ADMIN], lab["D"], PATH_TO[State.CLOSED][3:])
    last = purge(sqlite_engine, tmp_path, older_than_days=90, now=LATER)
    assert last.samples == [lab["D"]]
    assert sorted(last.photos) == sorted([lab["photo_cd"], lab["photo_shared"]])
    assert (tmp_path / lab["photo_ref"]).is_file()


def test_purge_command(
    sqlite_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LABSYS_DATABASE_URL", str(sqlite_engine.url))
    monkeypatch.setenv("LABSYS_DATA_DIR", str(tmp_path))
    assert main(["purge", "--dry-run", "--older-than", "1"]) == 0
    assert "Would purge 0 sample(s) finished over 1 days ago" in capsys.readouterr().out
    monkeypatch.setenv("LABSYS_RETENTION_DAYS", "ninety")
    assert main(["purge"]) == EXIT_ERROR
    assert "whole number of days" in capsys.readouterr().err


def test_no_word_of_corrected_notes_survives_a_purge(
    sqlite_engine: Engine, sqlite_actors: dict[Role, Actor], tmp_path: Path
) -> None:
    """The audit trail cannot be purged, so it records that notes changed, never their words."""
    admin = sqlite_actors[Role.ADMIN]
    first, second = "first words typed", "second words typed"
    with transaction(sqlite_engine) as session:
        sample = register(session, admin, Intake(sold_as="mdma", form="tablet", site="G"))
        code, version = sample.code, sample.version
    with transaction(sqlite_engine) as session:
        intake = Intake(sold_as="mdma", form="tablet", site="G", lab_notes=first)
        version = update_intake(session, admin, code, intake, expected_version=version).version
    with transaction(sqlite_engine) as session:
        intake = Intake(sold_as="mdma", form="tablet", site="G", lab_notes=second)
        update_intake(session, admin, code, intake, expected_version=version)
    advance(sqlite_engine, admin, code, PATH_TO[State.DESTROYED])
    assert purge(sqlite_engine, tmp_path, older_than_days=90, now=LATER).samples == [code]
    with sqlite_engine.connect() as connection:
        everything = str(
            [row for table in metadata.sorted_tables for row in connection.execute(select(table))]
        )
    assert "words typed" not in everything
