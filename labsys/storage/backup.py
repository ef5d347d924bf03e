"""Backup and restore of the whole lab (database and photos) as one verifiable archive file.

A backup is taken while the lab keeps working. The database is first frozen in a consistent
snapshot (SQLite: the online backup API into a temporary file; PostgreSQL: one read-only
REPEATABLE READ transaction), then every table is written as JSON lines (see
:mod:`labsys.storage.table_dump`), so an archive made on either backend restores into either.
Photos are copied after the snapshot: they are only ever added under a name derived from their
content, so every photo the snapshot refers to is already on disk.

The archive is a gzip'd tar holding ``manifest.json`` (format version, migration revisions, row
counts and a SHA-256 of every file), ``rows/<table>.jsonl`` and ``photos/...``. Restore checks
every hash before it changes anything.

Restore needs an empty target. With ``force`` a non-empty target is replaced: the audit trail
refuses DELETE (by database trigger, on purpose), so the schema is dropped and migrated again
rather than emptied row by row.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import Connection, Engine, MetaData, create_engine, text

from labsys.db import alembic_config, upgrade, utcnow
from labsys.errors import ValidationError
from labsys.storage import table_dump

FORMAT = "labsys-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
ROWS_DIR = "rows"
PHOTOS_DIR = "photos"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    """One file in the archive: its size and SHA-256."""

    size: int
    sha256: str


@dataclass(frozen=True)
class BackupManifest:
    """What an archive holds, so a restore can check it is complete and unaltered."""

    created_at: str
    backend: str
    revisions: list[str]
    row_counts: dict[str, int]
    files: dict[str, FileEntry] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        """The manifest as pretty JSON (people open it to see what a backup holds)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> BackupManifest:
        """Parse a manifest; refuse anything that is not a labsys backup this version reads."""
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("not a labsys backup")
            if data.get("format_version") != FORMAT_VERSION:
                raise ValidationError(
                    f"This backup has format version {data.get('format_version')}; this labsys "
                    f"reads version {FORMAT_VERSION}. Restore it with a matching labsys."
                )
            files = {name: FileEntry(**entry) for name, entry in data.pop("files").items()}
            return cls(files=files, **data)
        except ValidationError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ValidationError(f"The backup's manifest is unreadable ({error}).") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(path: Path) -> FileEntry:
    return FileEntry(size=path.stat().st_size, sha256=_sha256(path))


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one consistent moment of the database, while others write on."""
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="labsys-snapshot-") as directory:
            copy = Path(directory) / "snapshot.sqlite3"
            with engine.connect() as source:
                live = source.connection.driver_connection
                assert isinstance(live, sqlite3.Connection)
                with sqlite3.connect(copy) as target:
                    live.backup(target)  # one step: a single read transaction on the source
                target.close()
            frozen = create_engine(f"sqlite:///{copy}")
            try:
                with frozen.connect() as connection:
                    yield connection
            finally:
                frozen.dispose()
        return
    postgres = engine.dialect.name == "postgresql"
    options = {"isolation_level": "REPEATABLE READ"} if postgres else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        if postgres:
            connection.execute(text("SET TRANSACTION READ ONLY"))
        yield connection


def _add_photo(tar: tarfile.TarFile, name: str, path: Path) -> FileEntry | None:
    """Add one photo, read once so that its hash is of exactly the bytes archived.

    Returns None when the file went away since it was listed (a purge running meanwhile).
    """
    try:
        with path.open("rb") as photo:
            data, modified = photo.read(), os.fstat(photo.fileno()).st_mtime
    except FileNotFoundError:
        return None
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(modified), 0o640
    tar.addfile(info, io.BytesIO(data))
    return FileEntry(size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _fsync(path: Path) -> None:
    """Flush a file or a folder to the disk (a folder: so a rename in it survives a crash)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _photo_files(photos_dir: Path) -> Iterator[tuple[str, Path]]:
    """Photos as (archive name, path); dot-files are half-written temporaries and are skipped."""
    if not photos_dir.is_dir():
        return
    for path in sorted(photos_dir.rglob("*")):
        relative = path.relative_to(photos_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield str(PurePosixPath(PHOTOS_DIR, *relative.parts)), path


def create_backup(engine: Engine, photos_dir: Path, archive: Path) -> BackupManifest:
    """Write a consistent backup of the database and ``photos_dir`` to ``archive``.

    Parameters
    ----------
    engine
        The live database; it keeps serving the lab during the backup.
    photos_dir
        The photo store (``LABSYS_DATA_DIR/photos``); it may be missing when no photo was taken.
    archive
        The file to write. It appears only when complete (written aside, then renamed).

    Returns
    -------
    BackupManifest
        What was written, as recorded in the archive.
    """
    archive = archive.resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="labsys-backup-") as staging_name:
        staging = Path(staging_name)
        (staging / ROWS_DIR).mkdir()
        files: dict[str, FileEntry] = {}
        with _snapshot(engine) as connection:
            table_dump.check_all_tables_known(connection)
            revisions = table_dump.alembic_revisions(connection)
            counts = {}
            for table in table_dump.present_tables(connection):
                name = f"{ROWS_DIR}/{table.name}.jsonl"
                counts[table.name] = table_dump.dump_table(connection, table, staging / name)
                files[name] = _entry(staging / name)
        partial = archive.with_name(f".{archive.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                for name in files:
                    tar.add(staging / name, arcname=name)
                for name, path in _photo_files(photos_dir):
                    entry = _add_photo(tar, name, path)
                    if entry is not None:
                        files[name] = entry
                manifest = BackupManifest(
                    created_at=utcnow().isoformat(),
                    backend=engine.dialect.name,
                    revisions=revisions,
                    row_counts=counts,
                    files=files,
                )
                (staging / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
                tar.add(staging / MANIFEST_NAME, arcname=MANIFEST_NAME)
            _fsync(partial)
            partial.replace(archive)
            _fsync(archive.parent)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _unpack(archive: Path, into: Path) -> BackupManifest:
    """Extract ``archive`` into ``into`` and check every file against the manifest."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter="data")  # refuses absolute paths, '..' and devices
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ValidationError(
            f"{archive.name} is not a readable backup archive ({error})."
        ) from None
    manifest_path = into / MANIFEST_NAME
    if not manifest_path.is_file():
        raise ValidationError(f"{archive.name} has no {MANIFEST_NAME}: it is not a labsys backup.")
    manifest = BackupManifest.from_json(manifest_path.read_text(encoding="utf-8"))
    found = {
        str(PurePosixPath(*path.relative_to(into).parts))
        for path in into.rglob("*")
        if path.is_file() and path != manifest_path
    }
    if found != set(manifest.files):
        odd = sorted(found ^ set(manifest.files))[:5]
        raise ValidationError(f"The backup's files do not match its manifest (e.g. {odd}).")
    for name, entry in manifest.files.items():
        if _entry(into / name) != entry:
            raise ValidationError(f"{name} in the backup is damaged (its checksum differs).")
    return manifest


def _check_revisions_known(engine: Engine, revisions: list[str]) -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config(engine))
    known = {script.revision for script in scripts.walk_revisions()}
    missing = sorted(set(revisions) - known)
    if missing:
        raise ValidationError(
            f"The backup is at database revision(s) {missing}, which this labsys does not have: "
            "it was made by a newer version. Restore it with that version."
        )


def _target_contents(engine: Engine, photos_dir: Path) -> list[str]:
    """What is already in the target (empty list: nothing would be overwritten)."""
    with engine.connect() as connection:
        counts = table_dump.row_counts(connection)
    filled = [f"{count} row(s) in {name}" for name, count in counts.items() if count]
    photos = sum(1 for _ in _photo_files(photos_dir))
    if photos:
        filled.append(f"{photos} photo file(s)")
    return filled


def _drop_everything(engine: Engine) -> None:
    """Drop every table, trigger and labsys function (DELETE would be refused by the audit trail).

    PostgreSQL also keeps enum types and functions outside tables: those in the current schema
    that labsys's migrations create (enums, and functions named ``labsys_*``) are dropped too.
    """
    with engine.begin() as connection:
        reflected = MetaData()
        reflected.reflect(connection)
        reflected.drop_all(connection)
        if connection.dialect.name != "postgresql":
            return
        functions = connection.scalars(
            text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname LIKE 'labsys\\_%'"
            )
        ).all()
        for signature in functions:
            connection.execute(text(f"DROP FUNCTION IF EXISTS {signature} CASCADE"))
        enums = connection.scalars(
            text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typtype = 'e'"
            )
        ).all()
        for enum in enums:
            connection.execute(text(f'DROP TYPE IF EXISTS "{enum}" CASCADE'))


def _restore_photos(staged: Path, photos_dir: Path) -> None:
    """Put the restored photos in place, replacing any old ones (renames, no partial mix)."""
    old = photos_dir.with_name(f".{photos_dir.name}.replaced")
    if old.exists():
        shutil.rmtree(old)
    if photos_dir.exists():
        photos_dir.rename(old)
    if staged.is_dir():
        staged.rename(photos_dir)
    else:
        photos_dir.mkdir(parents=True)
    if old.exists():
        shutil.rmtree(old)


def restore_backup(
    archive: Path, engine: Engine, photos_dir: Path, *, force: bool = False
) -> BackupManifest:
    """Restore ``archive`` into the database of ``engine`` and into ``photos_dir``.

    Parameters
    ----------
    archive
        A file written by :func:`create_backup`, on either backend.
    engine
        The target database. It must be empty (no rows; the schema may or may not exist).
    photos_dir
        The target photo store; it must hold no photo.
    force
        Replace a non-empty target: its schema is dropped and migrated again, its photos removed.
        Stop the app first: nothing else may use the database during a restore.

    Returns
    -------
    BackupManifest
        The restored archive's manifest.

    Raises
    ------
    ValidationError
        The archive is damaged, foreign or from a newer labsys, or the target is not empty and
        ``force`` was not given. Nothing was changed.
    """
    photos_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".labsys-restore-", dir=photos_dir.parent) as work:
        staging = Path(work)
        manifest = _unpack(archive, staging)
        _check_revisions_known(engine, manifest.revisions)
        filled = _target_contents(engine, photos_dir)
        if filled and not force:
            raise ValidationError(
                "The target is not empty (" + ", ".join(filled) + "). Restore into an empty "
                "database and data directory, or add --force to replace everything in them."
            )
        _drop_everything(engine)
        for revision in manifest.revisions:
            upgrade(engine, revision)
        with engine.begin() as connection:
            for table in table_dump.tables():
                rows = staging / ROWS_DIR / f"{table.name}.jsonl"
                if rows.is_file():
                    table_dump.load_table(connection, table, rows)
            restored = {
                name: count
                for name, count in table_dump.row_counts(connection).items()
                if name in manifest.row_counts
            }
            if restored != manifest.row_counts:
                raise ValidationError(
                    f"Restored row counts {restored} differ from the backup's "
                    f"{manifest.row_counts}; the restore was rolled back."
                )
        _restore_photos(staging / PHOTOS_DIR, photos_dir)
    return manifest
