"""No password, password hash or contact detail reaches a log, whoever configured the handler."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from labsys.auth import sign_in
from labsys.cli import main
from labsys.errors import AuthenticationError

PASSWORD = "volunteer-pass"


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every record, SQL statements and their parameters included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    return caplog


def test_sign_in_logs_no_password(
    sqlite_engine: Engine, sqlite_actors: dict, everything_logged: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(AuthenticationError):
        sign_in(sqlite_engine, "volunteer", "wrong-" + PASSWORD)
    sign_in(sqlite_engine, "volunteer", PASSWORD)
    assert "SELECT" in everything_logged.text  # the SQL log was on
    assert PASSWORD not in everything_logged.text
    assert "$argon2" not in everything_logged.text


def test_user_add_logs_no_password(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    everything_logged: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("LABSYS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("very-secret-words\n"))
    assert main(["user", "add", "robin", "--role", "volunteer"]) == 0
    printed = capsys.readouterr()
    assert "INSERT INTO users" in everything_logged.text
    for output in (everything_logged.text, printed.out, printed.err):
        assert "very-secret-words" not in output
        assert "$argon2" not in output


def test_secrets_and_contact_details_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("labsys.test")
    log.warning("login password=%s from %s", "hunter22", "robin@example.org")
    log.warning('payload {"password": "two words", "note": "call +33 6 12 34 56 78"}')
    try:
        raise ValueError("token: abc123 for sam@example.org")
    except ValueError:
        log.exception("failed on 2026-11-24 07:30")
    for secret in ("hunter22", "robin@example.org", "two words", "12 34 56", "abc123", "sam@"):
        assert secret not in caplog.text
    assert caplog.text.count("[redacted]") >= 6
    assert "2026-11-24 07:30" in caplog.text  # dates are not phone numbers
