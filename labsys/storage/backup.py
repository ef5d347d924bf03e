"""Backup and restore of the whole lab (database and photos) as one verifiable archive file.

A backup is taken while the lab keeps working. The database is first frozen in a consistent
snapshot (SQLite: the online backup API into a temporary file; PostgreSQL: one read-only
REPEATABLE READ transaction), then every table is written as JSON lines (see
:mod:`labsys.storage.table_dump`), so an archive made on either backend restores into either.
Photos are copied after the snapshot: they are only ever added under a name derived from their
content, so every photo the snapshot refers to is already on disk.

The archive is a gzip'd tar holding ``manifest.json`` (format version, migration revisions, row
counts and a SHA-256 of every file), ``rows/<table>.jsonl`` and ``photos/...``. Restore reads the
manifest first, extracts only those names, bounded in size, and checks every hash before it
changes anything.

Restore needs an empty target that holds nothing but labsys's tables. With ``force`` a non-empty
target is replaced: the audit trail refuses DELETE (by database trigger, on purpose), so labsys's
tables are dropped and migrated again rather than emptied row by row. A failure leaves the target
as it was: PostgreSQL does it all in one transaction, SQLite builds a new file and swaps it in.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import Enum

from labsys.db import alembic_config, make_engine, upgrade, utcnow
from labsys.errors import LabsysError, ValidationError
from labsys.storage import table_dump

FORMAT = "labsys-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
ROWS_DIR = "rows"
PHOTOS_DIR = "photos"
_CHUNK = 1 << 20
MANIFEST_MAX_BYTES = 64 << 20
"""A manifest larger than this is not one labsys wrote (it is read into memory)."""
HARD_MAX_BYTES = 1 << 40
"""Never extract more than this, whatever the manifest says (1 TiB)."""
EXTRACT_MARGIN_BYTES = 1 << 20
"""Slack over the manifest's total size; nothing legitimate comes close to using it."""
_PHOTO_NAME = re.compile(rf"{PHOTOS_DIR}/[0-9a-f]{{2}}/[0-9a-f]{{62}}")


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


def _allowed_name(name: str, tables: set[str]) -> bool:
    """Only what create_backup writes: the manifest, one row file per table, content-named photos.

    Photos are stored as ``photos/<first 2 hex digits>/<other 62 hex digits>`` of their SHA-256.
    """
    if name == MANIFEST_NAME or _PHOTO_NAME.fullmatch(name):
        return True
    folder, _, file = name.partition("/")
    return folder == ROWS_DIR and file.endswith(".jsonl") and file[: -len(".jsonl")] in tables


def _copy_capped(source: io.BufferedReader, target: Path, budget: int) -> int:
    """Copy ``source`` to ``target``, refusing to write more than ``budget`` bytes."""
    written = 0
    with target.open("xb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise ValidationError(
                    "The backup unpacks to more than its manifest says: refused (it may be a "
                    "damaged or hostile archive)."
                )
            out.write(chunk)
    return written


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> BackupManifest:
    """Find and parse the manifest without extracting anything (bounded by the hard cap)."""
    seen = 0
    manifest_member = None
    for member in tar:
        seen += member.size
        if seen > HARD_MAX_BYTES:
            raise ValidationError(f"{archive.name} is larger than any backup labsys restores.")
        if member.name == MANIFEST_NAME:
            manifest_member = member
    if manifest_member is None or not manifest_member.isreg():
        raise ValidationError(f"{archive.name} has no {MANIFEST_NAME}: it is not a labsys backup.")
    if manifest_member.size > MANIFEST_MAX_BYTES:
        raise ValidationError(f"The {MANIFEST_NAME} of {archive.name} is implausibly large.")
    stream = tar.extractfile(manifest_member)
    assert stream is not None  # a regular file
    return BackupManifest.from_json(stream.read(MANIFEST_MAX_BYTES).decode("utf-8"))


def _unpack(archive: Path, into: Path) -> BackupManifest:
    """Check ``archive`` member by member and extract it into ``into``; check every file's hash.

    The manifest is read first; then only names create_backup writes, as regular files, are
    extracted, and never more bytes than the manifest declares (plus a margin), so a hostile
    archive can neither write outside ``into`` nor fill the disk.
    """
    tables = {table.name for table in table_dump.tables()}
    try:
        with tarfile.open(archive, "r:*") as tar:
            manifest = _read_manifest(tar, archive)
            declared = sum(entry.size for entry in manifest.files.values())
            budget = min(declared + EXTRACT_MARGIN_BYTES, HARD_MAX_BYTES)
            extracted: set[str] = set()
            for member in tar:
                if member.name == MANIFEST_NAME:
                    continue
                if not _allowed_name(member.name, tables) or not member.isreg():
                    raise ValidationError(
                        f"The backup holds {member.name!r}, which no labsys backup contains: "
                        "refused."
                    )
                if member.name in extracted:
                    raise ValidationError(f"The backup holds {member.name!r} twice: refused.")
                extracted.add(member.name)
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                stream = tar.extractfile(member)
                assert stream is not None  # a regular file
                budget -= _copy_capped(stream, target, budget)  # type: ignore[arg-type]
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as error:
        raise ValidationError(
            f"{archive.name} is not a readable backup archive ({error})."
        ) from None
    if extracted != set(manifest.files):
        odd = sorted(extracted ^ set(manifest.files))[:5]
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


def _labsys_table_names() -> set[str]:
    return {table.name for table in table_dump.tables()} | {table_dump.ALEMBIC_TABLE}


def _refuse_foreign_tables(engine: Engine) -> None:
    """Refuse a target holding tables that are not labsys's, even with --force.

    Such a database is not (only) labsys's: a wrong LABSYS_DATABASE_URL or a shared schema.
    Replacing "everything" there would destroy someone else's data.
    """
    with engine.connect() as connection:
        foreign = sorted(set(inspect(connection).get_table_names()) - _labsys_table_names())
    if foreign:
        raise ValidationError(
            f"The target database holds tables that are not labsys's ({', '.join(foreign[:10])})."
            " Check LABSYS_DATABASE_URL: labsys restores only into a database (or PostgreSQL "
            "schema) of its own, even with --force. Nothing was changed."
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


def _drop_labsys_schema(connection: Connection) -> None:
    """Drop labsys's tables (with their triggers), alembic_version and labsys's own types.

    DELETE would be refused by the audit trail, hence DROP. Only what labsys made is touched:
    tables named in labsys.schema, and on PostgreSQL functions named ``labsys_*`` and the enum
    types labsys.schema declares, in the current schema.
    """
    existing = set(inspect(connection).get_table_names())
    reflected = MetaData()
    reflected.reflect(connection, only=sorted(existing & _labsys_table_names()))
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
    own_types = {
        column.type.name
        for table in table_dump.tables()
        for column in table.columns
        if isinstance(column.type, Enum) and column.type.name
    }
    existing_types = connection.scalars(
        text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema() AND t.typtype = 'e'"
        )
    ).all()
    for enum in sorted(own_types & set(existing_types)):
        connection.execute(text(f'DROP TYPE IF EXISTS "{enum}"'))


def _migrate_on(connection: Connection, engine: Engine, revisions: list[str]) -> None:
    """Migrate within ``connection``'s transaction (so PostgreSQL can still roll it all back)."""
    from alembic import command

    config = alembic_config(engine)
    config.attributes["connection"] = connection
    for revision in revisions:
        command.upgrade(config, revision)


def _load(connection: Connection, staging: Path, manifest: BackupManifest) -> None:
    """Load the backup's rows and check that every table holds as many as were backed up."""
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
            f"Restored row counts {restored} differ from the backup's {manifest.row_counts}."
        )


def _sqlite_file(engine: Engine) -> Path | None:
    """The database file of an SQLite engine (None: not SQLite, or in memory)."""
    if engine.dialect.name != "sqlite":
        return None
    database = make_url(engine.url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _checkpoint(path: Path) -> None:
    """Fold an SQLite file's write-ahead log into the file itself, so the file alone is whole."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _restore_sqlite_file(
    engine: Engine, database: Path, staging: Path, manifest: BackupManifest
) -> None:
    """Build the restored database in a new file beside ``database``, then swap it into place.

    The old database stays untouched until everything has loaded and been checked, so a failed
    restore changes nothing. The swap is one rename (``os.replace``); the old file's WAL is
    checkpointed and removed first, or SQLite would replay it onto the new file. The app must
    be stopped: a process holding the old file open would keep writing to it.
    """
    building = database.with_name(f".{database.name}.restoring")
    _remove_sqlite_file(building)
    fresh = make_engine(f"sqlite:///{building}")
    try:
        for revision in manifest.revisions:
            upgrade(fresh, revision)  # a new file: nothing to roll back but the file itself
        with fresh.begin() as connection:
            _load(connection, staging, manifest)
        fresh.dispose()
        _checkpoint(building)
        _fsync(building)
        engine.dispose()
        if database.exists():
            _checkpoint(database)
        for suffix in ("-wal", "-shm", "-journal"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        os.replace(building, database)
        _fsync(database.parent)
    finally:
        fresh.dispose()
        _remove_sqlite_file(building)
        engine.dispose()  # pooled connections would still see the old file


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
        The archive is damaged, foreign or from a newer labsys, the target holds tables that are
        not labsys's, or it is not empty and ``force`` was not given. Nothing was changed.
    LabsysError
        Loading failed (a database error, or a value the schema cannot take). Rolled back.
    """
    try:
        return _restore(archive, engine, photos_dir, force=force)
    except LabsysError:
        raise
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise LabsysError(
            f"The restore failed in the database ({type(error).__name__}: {detail}); "
            "it was rolled back and the target is as it was."
        ) from error
    except (ValueError, TypeError) as error:  # a value the schema cannot take (crafted rows)
        raise LabsysError(
            f"The backup's rows could not be loaded ({type(error).__name__}: {error}); "
            "the restore was rolled back and the target is as it was."
        ) from error


def _restore(archive: Path, engine: Engine, photos_dir: Path, *, force: bool) -> BackupManifest:
    """restore_backup's work; database errors are turned into a message by the caller."""
    photos_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".labsys-restore-", dir=photos_dir.parent) as work:
        staging = Path(work)
        manifest = _unpack(archive, staging)
        _check_revisions_known(engine, manifest.revisions)
        _refuse_foreign_tables(engine)
        filled = _target_contents(engine, photos_dir)
        if filled and not force:
            raise ValidationError(
                "The target is not empty (" + ", ".join(filled) + "). Restore into an empty "
                "database and data directory, or add --force to replace everything in them."
            )
        try:
            database = _sqlite_file(engine)
            if database is not None:
                _restore_sqlite_file(engine, database, staging, manifest)
            else:
                # PostgreSQL DDL is transactional: drop, migrate and load commit together or not
                # at all.
                with engine.begin() as connection:
                    _drop_labsys_schema(connection)
                    _migrate_on(connection, engine, manifest.revisions)
                    _load(connection, staging, manifest)
        except ValidationError as error:
            message = f"{error} The restore was rolled back; nothing changed."
            raise ValidationError(message) from None
        _restore_photos(staging / PHOTOS_DIR, photos_dir)
    return manifest
