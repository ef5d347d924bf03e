"""Shared fixtures: a migrated database on SQLite and (when configured) PostgreSQL, and actors.

PostgreSQL runs when ``LABSYS_TEST_POSTGRES_URL`` is set; every test gets its own schema, dropped
afterwards, so concurrent runs never collide. Without it those tests are skipped with a reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from labsys.auth import Actor, Role, create_user
from labsys.db import make_engine, private_postgres_schema, transaction, upgrade
from labsys.samples import Intake, Sample, register

POSTGRES_URL = os.environ.get("LABSYS_TEST_POSTGRES_URL")
NO_POSTGRES = "LABSYS_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against"
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[pytest.mark.postgres, pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)],
    ),
]


def sqlite_url(directory: Path) -> str:
    """A file database in ``directory`` (file, not memory: WAL and concurrency are real)."""
    return f"sqlite:///{directory / 'labsys.sqlite3'}"


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a fresh schema of their own, dropped on exit."""
    assert POSTGRES_URL
    with private_postgres_schema(POSTGRES_URL, "labsys_test") as url:
        yield url


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a fresh schema of their own."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL on each backend."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests that are about logic rather than the backend."""
    engine = make_engine(sqlite_url(tmp_path))
    upgrade(engine)
    yield engine
    engine.dispose()


def make_actors(engine: Engine) -> dict[Role, Actor]:
    """One account per role, named after the role, password ``<role>-pass``."""
    with transaction(engine) as session:
        return {role: create_user(session, role.value, f"{role.value}-pass", role) for role in Role}


def registered_sample(
    engine: Engine, actor: Actor, sold_as: str = "mdma", form: str = "tablet", site: str = "Fest"
) -> Sample:
    """A sample ``actor`` has just registered at intake, received today."""
    with transaction(engine) as session:
        return register(
            session,
            actor,
            Intake(sold_as=sold_as, form=form, site=site, received_on=date.today()),
        )


@pytest.fixture
def actors(engine: Engine) -> dict[Role, Actor]:
    """One actor per role in ``engine``."""
    return make_actors(engine)


@pytest.fixture
def sqlite_actors(sqlite_engine: Engine) -> dict[Role, Actor]:
    """One actor per role in ``sqlite_engine``."""
    return make_actors(sqlite_engine)
