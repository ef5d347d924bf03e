"""Engine, sessions and the declarative base; schema changes go through Alembic only.

SQLite is the embedded default: it runs in WAL mode with foreign keys on, and every transaction
starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue on the busy timeout instead of
failing half-way with "database is locked". PostgreSQL is used unchanged by URL.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30.0
_READ_ONLY = "labsys_read_only"

T = TypeVar("T")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use datetime.now(UTC)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints predictably."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine for ``url``, configuring SQLite for safe concurrent use."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        # The default 2 MB page cache makes three-year monitoring queries re-read the file.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        # Readers need no lock in WAL mode; writers take the write lock up front.
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def private_postgres_schema(url: str, prefix: str = "labsys_private") -> Iterator[str]:
    """``url`` with every connection confined to a new schema of its own, dropped on exit.

    For isolated test and benchmark databases only (concurrent runs never collide); the app
    never uses it. ``url`` is a PostgreSQL URL whose user may create schemas.
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit (pages show them)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    ``read_only`` transactions (pages that only show data) do not queue behind writers on SQLite.
    """
    bind = engine.execution_options(**{_READ_ONLY: True}) if read_only else engine
    with session_factory(bind).begin() as session:
        yield session


def _is_locked(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "database table is locked" in text


def run_in_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    read_only: bool = False,
    attempts: int = 8,
    base_delay_s: float = 0.05,
) -> T:
    """Run ``work(session)`` in a transaction, retrying with backoff if SQLite reports a lock.

    The busy timeout absorbs nearly all contention; this is the last line of defence so that
    "database is locked" never reaches a person on a busy night.
    """
    for attempt in range(attempts):
        try:
            with transaction(engine, read_only=read_only) as session:
                return work(session)
        except OperationalError as error:
            if not _is_locked(error) or attempt == attempts - 1:
                raise
            time.sleep(base_delay_s * 2**attempt * (1 + random.random()))
    raise AssertionError("unreachable")


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    """An Alembic configuration bound to ``engine``'s URL and our migrations folder."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser escaping
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply migrations up to ``revision`` (the only way the schema changes).

    "heads" rather than "head": features may add independent migration branches off the same
    parent; all of them are applied.
    """
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
