"""The database layer: SQLite settings, and readers that never queue behind a writer."""

import pytest
from sqlalchemy import Engine, func, select, text

from labsys.auth import User
from labsys.db import run_in_transaction


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.timeout(60)
def test_a_reader_is_not_blocked_by_an_open_write_transaction(sqlite_engine: Engine) -> None:
    """While a writer holds SQLite's write lock, a read-only transaction still answers.

    A writer-style transaction here would wait for the lock held in this same thread and fail.
    """
    with sqlite_engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE: the write lock is held from here
        writer.execute(
            text(
                "INSERT INTO users (username, password_hash, role, language, active, "
                "failed_logins, created_at) VALUES ('w', 'x', 'admin', 'en', 1, 0, '2026-01-01')"
            )
        )
        count = run_in_transaction(
            sqlite_engine,
            lambda s: s.scalar(select(func.count()).select_from(User)),
            read_only=True,
        )
        assert count == 0  # the uncommitted row is not visible: a consistent snapshot
        writer.rollback()
