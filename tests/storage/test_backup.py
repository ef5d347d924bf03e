"""Backup and restore: every row and photo comes back, on and across both backends."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from labsys.audit import AuditEvent
from labsys.auth import Actor, Role, create_user
from labsys.cli import EXIT_ERROR, main
from labsys.db import transaction
from labsys.errors import LabsysError, ValidationError
from labsys.samples import Intake, Sample, register
from labsys.storage.backup import create_backup, restore_backup
from labsys.storage.photos import PhotoStore
from tests.conftest import make_actors, sqlite_url
from tests.storage.lab_fixtures import all_photos, all_rows, database, populate

POSTGRES = pytest.mark.postgres


@dataclass(frozen=True)
class BackedUpLab:
    """A populated lab in ``data_dir`` (database and photos), its backup and what it held."""

    backend: str
    url: str
    data_dir: Path
    archive: Path
    rows: dict[str, list[dict[str, Any]]]
    photos: dict[str, bytes]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=POSTGRES)])
def lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackedUpLab]:
    """One populated, backed-up lab per backend, shared by the tests of this module."""
    data_dir = tmp_path_factory.mktemp(f"lab-{request.param}")
    with database(request.param, data_dir) as engine:
        populate(engine, data_dir / "photos")
        store_photos(data_dir)
        manifest = create_backup(engine, data_dir / "photos", data_dir / "backup.tar.gz")
        rows = all_rows(engine)
        assert all(rows.values()), "every table has rows to compare"
        assert manifest.row_counts == {name: len(table) for name, table in rows.items()}
        yield BackedUpLab(
            backend=request.param,
            url=engine.url.render_as_string(hide_password=False),
            data_dir=data_dir,
            archive=data_dir / "backup.tar.gz",
            rows=rows,
            photos=all_photos(data_dir / "photos"),
        )


def store_photos(data_dir: Path) -> None:
    """Replace the photos with ones stored as the app stores them (named by content).

    Restore accepts no other name under photos/, and skips dot-files (half-written uploads).
    """
    shutil.rmtree(data_dir / "photos", ignore_errors=True)
    for index in range(3):
        PhotoStore(data_dir).save(bytes(range(256)) * (index + 1))
    (data_dir / "photos" / ".incoming-123.tmp").write_bytes(b"half written")


@pytest.mark.parametrize(
    ("target", "migrated"),
    [("sqlite", False), ("sqlite", True), pytest.param("postgresql", True, marks=POSTGRES)],
    ids=["sqlite-new", "sqlite-migrated", "postgresql-migrated"],
)
def test_round_trip_restores_every_row_and_photo(
    lab: BackedUpLab, tmp_path: Path, target: str, migrated: bool
) -> None:
    with database(target, tmp_path, migrated=migrated) as restored:
        restore_backup(lab.archive, restored, tmp_path / "photos")
        assert all_rows(restored) == lab.rows
        _still_works(restored)
    assert all_photos(tmp_path / "photos") == lab.photos
    assert len(lab.photos) == 3


def _still_works(engine: Engine) -> None:
    """New rows get fresh ids (sequences moved on) and the audit trail is append-only again."""
    with transaction(engine) as session:
        register(session, _newcomer(session), Intake(sold_as="mdma", form="tablet", site="Gare"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))


def _newcomer(session: Session) -> Actor:
    """A new volunteer whose name does not clash with the restored accounts."""
    return create_user(session, "newcomer", "newcomer-pass", Role.VOLUNTEER)


def test_non_empty_target_is_refused_and_replaced_with_force(
    lab: BackedUpLab, tmp_path: Path
) -> None:
    with database(lab.backend, tmp_path) as target:
        with transaction(target) as session:
            register(session, _newcomer(session), Intake(sold_as="heroin", form="powder", site="X"))
        (tmp_path / "photos").mkdir()
        (tmp_path / "photos" / "old.jpg").write_bytes(b"old photo")
        before = all_rows(target)
        with pytest.raises(ValidationError, match=r"not empty.*--force"):
            restore_backup(lab.archive, target, tmp_path / "photos")
        assert all_rows(target) == before
        restore_backup(lab.archive, target, tmp_path / "photos", force=True)
        assert all_rows(target) == lab.rows
        _still_works(target)
    assert all_photos(tmp_path / "photos") == lab.photos


def rewrite_archive(
    archive: Path, damaged: Path, change: Callable[[str, bytes], bytes | None]
) -> None:
    """Copy ``archive`` to ``damaged``, passing each member through ``change`` (None drops it)."""
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            data = change(member.name, data)
            if data is not None:
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda name, data: data[:-1] + b"!" if name.startswith("photos/") else data, "damaged"),
        (lambda name, data: None if name.startswith("rows/samples") else data, "do not match"),
        (lambda name, data: b"{}" if name == "manifest.json" else data, "unreadable"),
    ],
    ids=["flipped-photo", "missing-table", "foreign-manifest"],
)
def test_damaged_archive_is_refused_before_anything_changes(
    lab: BackedUpLab, tmp_path: Path, change: Callable[[str, bytes], bytes | None], message: str
) -> None:
    damaged = tmp_path / "damaged.tar.gz"
    rewrite_archive(lab.archive, damaged, change)
    with database("sqlite", tmp_path) as target:
        with pytest.raises(ValidationError, match=message):
            restore_backup(damaged, target, tmp_path / "photos", force=True)
        assert sum(len(rows) for rows in all_rows(target).values()) == 0


def test_not_an_archive_is_refused(tmp_path: Path, sqlite_engine: Engine) -> None:
    (tmp_path / "junk.tar.gz").write_bytes(os.urandom(300))
    with pytest.raises(ValidationError, match="not a readable backup"):
        restore_backup(tmp_path / "junk.tar.gz", sqlite_engine, tmp_path / "photos")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=POSTGRES)])
def test_backup_during_writes_is_consistent(tmp_path: Path, backend: str) -> None:
    """Each registration writes a sample and its event together; a backup never splits them."""
    archive = tmp_path / "backup.tar.gz"
    with database(backend, tmp_path / "source") as engine:
        volunteer = make_actors(engine)[Role.VOLUNTEER]
        stop = threading.Event()

        def keep_registering() -> None:
            while not stop.is_set():
                with transaction(engine) as session:
                    register(session, volunteer, Intake(sold_as="mdma", form="tablet", site="G"))

        writer = threading.Thread(target=keep_registering)
        writer.start()
        try:
            while _count(engine, Sample) < 20:
                pass
            manifest = create_backup(engine, tmp_path / "photos", archive)
        finally:
            stop.set()
            writer.join()
        assert _count(engine, Sample) > manifest.row_counts["samples"] >= 20
    with database("sqlite", tmp_path / "target") as restored:
        restore_backup(archive, restored, tmp_path / "target" / "photos")
        with transaction(restored) as session:
            registered = session.scalars(
                select(AuditEvent.entity_id).where(AuditEvent.action == "registered")
            ).all()
            samples = session.scalars(select(Sample.id)).all()
        assert sorted(registered) == sorted(samples)


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model)) or 0


def test_backup_and_restore_commands(
    lab: BackedUpLab,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = tmp_path / "lab.tar.gz"
    monkeypatch.setenv("LABSYS_DATABASE_URL", lab.url)
    monkeypatch.setenv("LABSYS_DATA_DIR", str(lab.data_dir))
    assert main(["backup", str(archive)]) == 0
    assert "3 photo file(s)" in capsys.readouterr().out
    monkeypatch.setenv("LABSYS_DATABASE_URL", sqlite_url(tmp_path))
    monkeypatch.setenv("LABSYS_DATA_DIR", str(tmp_path))
    assert main(["restore", str(archive)]) == 0
    assert main(["restore", str(archive)]) == EXIT_ERROR
    assert "not empty" in capsys.readouterr().err
    assert main(["restore", "--force", str(archive)]) == 0
    with database("sqlite", tmp_path, migrated=False) as restored:
        assert all_rows(restored) == lab.rows
    assert all_photos(tmp_path / "photos") == lab.photos


def test_a_table_unknown_to_the_schema_stops_the_backup(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    """Leaving a table out silently would make a backup that cannot bring the lab back."""
    with sqlite_engine.begin() as connection:
        connection.execute(text("CREATE TABLE field_notes (id INTEGER PRIMARY KEY, body TEXT)"))
    with pytest.raises(LabsysError, match="field_notes"):
        create_backup(sqlite_engine, tmp_path / "photos", tmp_path / "backup.tar.gz")
    assert not (tmp_path / "backup.tar.gz").exists()
