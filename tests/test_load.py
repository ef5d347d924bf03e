"""Concurrency: a short load run (the full one is benchmarks/load.py) and a racing move."""

from __future__ import annotations

import sys
import threading
import types
from pathlib import Path

import pytest

from benchmarks.load import private_database, run_load
from labsys.auth import Role
from labsys.db import make_engine, transaction, upgrade
from labsys.errors import ConcurrentEdit
from labsys.samples import Intake, State, get_sample, move_sample, register
from tests.conftest import NO_POSTGRES, POSTGRES_URL, make_actors


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "url",
    [
        None,
        pytest.param(
            POSTGRES_URL,
            marks=[pytest.mark.postgres, pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)],
            id="postgresql",
        ),
    ],
    ids=["sqlite", "postgresql"],
)
def test_four_processes_for_five_seconds(
    tmp_path: Path, url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Streamlit's AppTest (earlier tests, same process) leaves its temporary script installed as
    # __main__, which spawned workers would try to re-run; they need no main module at all.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    with private_database(url, tmp_path) as database_url:
        report = run_load(database_url, tmp_path, workers=4, seconds=5)
    assert report.ops > 0
    assert report.user_errors == []
    assert (report.lost_updates, report.duplicate_codes, report.missing_audit) == (0, 0, 0)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
def test_a_move_racing_another_is_a_concurrent_edit(postgres_schema_url: str) -> None:
    """The database's version check (not only the one before it) ends in ConcurrentEdit.

    On PostgreSQL two people can read the same version; the second UPDATE waits for the first
    transaction, then matches no row. That must be reported as a concurrent edit, not a crash.
    """
    engine = make_engine(postgres_schema_url)
    upgrade(engine)
    admin = make_actors(engine)[Role.ADMIN]
    with transaction(engine) as session:
        code = register(session, admin, Intake(sold_as="mdma", form="tablet", site="G")).code
    outcome: list[BaseException] = []

    def second_person() -> None:
        try:
            with transaction(engine) as session:
                move_sample(session, admin, code, State.WITHDRAWN, expected_version=1, reason="x")
        except BaseException as error:  # handed to the test thread
            outcome.append(error)

    with transaction(engine) as first:
        move_sample(first, admin, code, State.QUEUED, expected_version=1)
        first.flush()  # holds the row lock until commit
        racer = threading.Thread(target=second_person)
        racer.start()
        racer.join(timeout=1.0)  # the second UPDATE is now waiting for the lock
    racer.join()
    assert len(outcome) == 1 and isinstance(outcome[0], ConcurrentEdit), outcome
    with transaction(engine) as session:
        assert get_sample(session, admin, code).state == State.QUEUED.value
    engine.dispose()
