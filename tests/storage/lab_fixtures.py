"""A populated lab for storage tests: every table filled, photos on disk, and ways to compare."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Table, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    TypeDecorator,
)

from labsys.auth import Actor, Role, sign_in
from labsys.db import make_engine, transaction, upgrade, utcnow
from labsys.errors import AuthenticationError
from labsys.results.models import ResultFinding, SampleResult
from labsys.samples import Intake, Sample, State, move_sample, register, update_intake
from labsys.samples.workflow import MANAGED_TARGETS
from labsys.schema import metadata
from tests.conftest import POSTGRES_URL, fresh_postgres_schema, make_actors, sqlite_url

PATH_TO = {
    State.CLOSED: [
        State.QUEUED,
        State.ON_PLATE,
        State.IMAGED,
        State.ANALYSED,
        State.REVIEWED,
        State.REPORTED,
        State.CLOSED,
    ],
    State.INCONCLUSIVE: [
        State.QUEUED,
        State.ON_PLATE,
        State.IMAGED,
        State.ANALYSED,
        State.INCONCLUSIVE,
    ],
    State.ON_PLATE: [State.QUEUED, State.ON_PLATE],
    State.DESTROYED: [State.WITHDRAWN, State.DESTROYED],
    State.RECEIVED: [],
}


def needs_postgres() -> None:
    """Skip the calling test when no PostgreSQL server is configured."""
    if not POSTGRES_URL:
        pytest.skip("LABSYS_TEST_POSTGRES_URL is not set")


@contextmanager
def database(backend: str, directory: Path, *, migrated: bool = True) -> Iterator[Engine]:
    """A new database on ``backend`` ("sqlite" or "postgresql"), migrated unless told otherwise."""
    if backend == "postgresql":
        needs_postgres()
        with fresh_postgres_schema() as url, _engine(url, migrated=migrated) as engine:
            yield engine
        return
    directory.mkdir(parents=True, exist_ok=True)
    with _engine(sqlite_url(directory), migrated=migrated) as engine:
        yield engine


@contextmanager
def _engine(url: str, *, migrated: bool) -> Iterator[Engine]:
    engine = make_engine(url)
    if migrated:
        upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def advance(engine: Engine, actor: Actor, code: str, path: list[State]) -> None:
    """Move sample ``code`` along ``path``, giving a reason wherever one is needed.

    Set-up only (these tests are about storage): states that stand for a review or conversation
    record are entered as their services would enter them.
    """
    for target in path:
        with transaction(engine) as session:
            version = session.scalar(select(Sample.version).where(Sample.code == code))
            assert version is not None
            move_sample(
                session,
                actor,
                code,
                target,
                expected_version=version,
                reason="lab test",
                by_record_service=target in MANAGED_TARGETS,
            )


def _filler(column_type: Any) -> Any:
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, Enum):
        return column_type.enums[0]
    for kind, value in (
        (Boolean, True),
        (DateTime, utcnow()),
        (Date, date(2026, 1, 2)),
        (Float, 1.5),
        (JSON, {"filled": [1, "two"]}),
        (LargeBinary, b"\x00\x01\xff"),
        (Integer, 7),
    ):
        if isinstance(column_type, kind):
            return value
    return "filled"[: getattr(column_type, "length", None) or None]


def _candidate_rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """Generic rows to try: everything filled, only what is required, required plus one more."""
    full: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key and isinstance(column.type, Integer):
            continue
        (foreign_key, *_) = (*column.foreign_keys, None)
        if foreign_key is not None:
            full[column.name] = connection.scalar(select(func.min(foreign_key.column)))
        else:
            full[column.name] = _filler(column.type)
    required = {name: value for name, value in full.items() if not table.columns[name].nullable}
    yield full
    yield required
    for name in full.keys() - required.keys():
        yield {**required, name: full[name]}


def fill_empty_tables(engine: Engine) -> None:
    """Give every still-empty table one generic row, so tables added later are covered too.

    Check constraints may refuse some combinations; the first row a table accepts is kept.
    """
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if connection.scalar(select(func.count()).select_from(table)):
                continue
            for row in _candidate_rows(connection, table):
                try:
                    with connection.begin_nested():
                        connection.execute(insert(table), [row])
                    break
                except DBAPIError:
                    continue


def populate(engine: Engine, photos_dir: Path) -> None:
    """Users (one locked out), samples in several states, intake corrections, a result, photos."""
    actors = make_actors(engine)
    volunteer = actors[Role.VOLUNTEER]
    codes = {}
    with transaction(engine) as session:
        for index, state in enumerate(PATH_TO):
            intake = Intake(
                sold_as=["cocaine", "mdma", "ketamine", "heroin", "speed"][index],
                form="powder",
                site="Gare",
                received_on=date(2026, 11, 1 + index),
                monitoring_consent=index % 2 == 0,
                colour="white",
                lab_notes=f"note {index}: <b>bold</b> & 'quoted' — é",
            )
            codes[state] = register(session, volunteer, intake).code
    with transaction(engine) as session:
        update_intake(
            session,
            volunteer,
            codes[State.RECEIVED],
            Intake(sold_as="cocaine", form="crystal", site="Gare", received_on=date(2026, 11, 5)),
            expected_version=1,
        )
    for state, path in PATH_TO.items():
        advance(engine, actors[Role.ADMIN], codes[state], path)
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            sign_in(engine, "counsellor", "wrong password")
    with transaction(engine) as session:
        sample_id = session.scalar(select(Sample.id).where(Sample.code == codes[State.CLOSED]))
        result = SampleResult(
            sample_id=sample_id,
            category="as_expected",
            purity_band="high",
            summary="cocaine, levamisole",
            proposed_by_id=actors[Role.VOLUNTEER].id,
            reviewed_by_id=actors[Role.COORDINATOR].id,
            reviewed_at=utcnow(),
        )
        result.findings = [
            ResultFinding(substance="cocaine", kind="expected", confidence="high", amount_mg=None),
            ResultFinding(substance="levamisole", kind="adulterant", confidence="medium"),
        ]
        session.add(result)
    fill_empty_tables(engine)
    write_photos(photos_dir)


def write_photos(photos_dir: Path) -> None:
    """A few photo files in sub-folders, and a half-written temporary that backups skip."""
    for index in range(3):
        folder = photos_dir / f"a{index}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"photo{index}.jpg").write_bytes(bytes(range(256)) * (index + 1))
    (photos_dir / ".incoming-123.tmp").write_bytes(b"half written")


def all_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def all_photos(photos_dir: Path) -> dict[str, bytes]:
    """Every photo file (temporaries excluded) by relative path."""
    return {
        str(path.relative_to(photos_dir)): path.read_bytes()
        for path in sorted(photos_dir.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
