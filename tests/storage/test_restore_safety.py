"""Restore never harms what is not labsys's, leaves the target as it was when it fails, and
checks an archive before it writes any of it."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from labsys.auth import Role, create_user
from labsys.cli import EXIT_ERROR, main
from labsys.db import transaction
from labsys.errors import LabsysError, ValidationError
from labsys.samples import Intake, register
from labsys.storage import backup
from labsys.storage.backup import create_backup, restore_backup
from tests.storage.lab_fixtures import all_rows, database, populate
from tests.storage.test_backup import store_photos

POSTGRES = pytest.mark.postgres
BACKENDS = ["sqlite", pytest.param("postgresql", marks=POSTGRES)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of a populated lab (made on SQLite; archives restore into either backend)."""
    data_dir = tmp_path_factory.mktemp("source")
    with database("sqlite", data_dir) as engine:
        populate(engine, data_dir / "photos")
        store_photos(data_dir)
        create_backup(engine, data_dir / "photos", data_dir / "backup.tar.gz")
    return data_dir / "backup.tar.gz"


@pytest.fixture(params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A target database of its own on each backend, holding one registered sample."""
    with database(request.param, tmp_path / "target") as engine:
        with transaction(engine) as session:
            volunteer = create_user(session, "someone", "someone-pass", Role.VOLUNTEER)
            register(session, volunteer, Intake(sold_as="ketamine", form="powder", site="Q"))
        yield engine


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
        }


def _write(
    members: dict[str, bytes], out: Path, extra: list[tarfile.TarInfo] | None = None
) -> Path:
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info)
    return out


def _tampered(
    archive: Path, out: Path, change: Callable[[dict[str, bytes], dict[str, object]], None]
) -> Path:
    """``archive`` with its members and manifest changed by ``change``, hashes made to match.

    The result passes every checksum: what it tests is what restore does with its content.
    """
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    change(members, manifest)
    for name, data in members.items():
        if name != "manifest.json":
            manifest["files"][name] = {
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    members["manifest.json"] = json.dumps(manifest).encode()
    return _write(members, out)


def test_a_table_that_is_not_labsys_s_stops_even_a_forced_restore(
    archive: Path, filled: Engine, tmp_path: Path
) -> None:
    """A wrong LABSYS_DATABASE_URL or a shared schema must not be wiped."""
    with filled.begin() as connection:
        connection.execute(text("CREATE TABLE field_notes (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("INSERT INTO field_notes VALUES (1, 'not labsys data')"))
    before = all_rows(filled)
    with pytest.raises(ValidationError, match=r"not labsys's \(field_notes\)"):
        restore_backup(archive, filled, tmp_path / "photos", force=True)
    assert all_rows(filled) == before
    with filled.connect() as connection:
        assert connection.scalar(text("SELECT body FROM field_notes")) == "not labsys data"


@POSTGRES
def test_a_forced_restore_keeps_types_that_are_not_labsys_s(archive: Path, tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as target:
        with target.begin() as connection:
            connection.execute(text("CREATE TYPE mood AS ENUM ('calm', 'busy')"))
        restore_backup(archive, target, tmp_path / "photos", force=True)
        with target.connect() as connection:
            assert connection.scalar(text("SELECT 'calm'::mood::text")) == "calm"


def test_a_failed_forced_restore_leaves_the_old_lab_in_place(
    archive: Path, filled: Engine, tmp_path: Path
) -> None:
    """The row counts are checked after loading; a mismatch must not leave an empty database."""

    def one_sample_more(members: dict[str, bytes], manifest: dict[str, object]) -> None:
        manifest["row_counts"]["samples"] += 1  # type: ignore[index]

    wrong = _tampered(archive, tmp_path / "wrong.tar.gz", one_sample_more)
    before = all_rows(filled)
    with pytest.raises(ValidationError, match="rolled back; nothing changed"):
        restore_backup(wrong, filled, tmp_path / "photos", force=True)
    assert all_rows(filled) == before


def test_a_database_error_during_restore_is_one_line_and_changes_nothing(
    archive: Path,
    filled: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def duplicate_user(members: dict[str, bytes], manifest: dict[str, object]) -> None:
        first = members["rows/users.jsonl"].splitlines(keepends=True)[0]
        members["rows/users.jsonl"] += first

    clash = _tampered(archive, tmp_path / "clash.tar.gz", duplicate_user)
    before = all_rows(filled)
    monkeypatch.setenv("LABSYS_DATABASE_URL", filled.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LABSYS_DATA_DIR", str(tmp_path))
    assert main(["restore", "--force", str(clash)]) == EXIT_ERROR
    error = capsys.readouterr().err
    assert error.startswith("labsys: The restore failed in the database (IntegrityError")
    assert "rolled back" in error
    assert len(error.strip().splitlines()) == 1
    assert all_rows(filled) == before


def test_a_value_the_schema_cannot_take_is_one_clear_error(
    archive: Path, filled: Engine, tmp_path: Path
) -> None:
    def bad_date(members: dict[str, bytes], manifest: dict[str, object]) -> None:
        lines = members["rows/users.jsonl"].splitlines(keepends=True)
        first = json.loads(lines[0])
        first["created_at"] = "yesterday"
        members["rows/users.jsonl"] = b"".join([json.dumps(first).encode() + b"\n", *lines[1:]])

    bad = _tampered(archive, tmp_path / "bad.tar.gz", bad_date)
    before = all_rows(filled)
    with pytest.raises(LabsysError, match=r"rows could not be loaded \(ValueError.*rolled back"):
        restore_backup(bad, filled, tmp_path / "photos", force=True)
    assert all_rows(filled) == before


def _extra(name: str, data: bytes = b"x", kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, len(data) if kind == tarfile.REGTYPE else 0
    if kind == tarfile.SYMTYPE:
        info.linkname = "../manifest.json"
    return info


@pytest.mark.parametrize(
    "extra",
    [
        _extra("../escape.txt", b""),
        _extra("notes.txt", b""),
        _extra("rows/field_notes.jsonl", b""),
        _extra("photos/a0/photo0.jpg", b""),
        _extra("photos/" + "ab/" + "c" * 62, kind=tarfile.SYMTYPE),
        _extra("photos/ab", kind=tarfile.DIRTYPE),
    ],
    ids=["escape", "stray-file", "unknown-table", "not-content-named", "symlink", "directory"],
)
def test_an_archive_member_no_backup_holds_is_refused(
    archive: Path, tmp_path: Path, extra: tarfile.TarInfo
) -> None:
    odd = _write(_members(archive), tmp_path / "odd.tar.gz", [extra])
    data_dir = tmp_path / "data"
    with (
        database("sqlite", data_dir) as target,
        pytest.raises(ValidationError, match="which no labsys backup contains"),
    ):
        restore_backup(odd, target, data_dir / "photos")
    assert not (tmp_path / "escape.txt").exists()
    assert not list(data_dir.glob(".labsys-restore-*"))
    assert not (data_dir / "photos").exists()


def test_an_archive_unpacking_to_more_than_its_manifest_says_is_stopped(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gzip bomb: the manifest declares small files, the member is far larger."""
    members = _members(archive)
    photo = next(name for name in members if name.startswith("photos/"))
    members[photo] += bytes(4 * backup._CHUNK)
    bomb = _write(members, tmp_path / "bomb.tar.gz")
    monkeypatch.setattr(backup, "EXTRACT_MARGIN_BYTES", 1024)
    with (
        database("sqlite", tmp_path) as target,
        pytest.raises(ValidationError, match="unpacks to more than its manifest says"),
    ):
        restore_backup(bomb, target, tmp_path / "photos")
    assert not list(tmp_path.glob(".labsys-restore-*"))


def test_an_archive_over_the_hard_cap_is_refused_before_extracting(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "HARD_MAX_BYTES", 1000)
    with (
        database("sqlite", tmp_path) as target,
        pytest.raises(ValidationError, match="larger than any backup"),
    ):
        restore_backup(archive, target, tmp_path / "photos")
