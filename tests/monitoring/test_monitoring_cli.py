"""``labsys alerts check`` and ``labsys export`` as real subprocesses."""

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from labsys.auth import Role
from labsys.cli import main
from labsys.db import make_engine, upgrade
from tests.conftest import sqlite_url
from tests.monitoring.seeding import add_actors, add_result

LABSYS = [sys.executable, "-m", "labsys.cli"]


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Path]:
    """A data folder whose database holds a fentanyl finding from yesterday and a plain one."""
    engine = make_engine(sqlite_url(tmp_path))
    upgrade(engine)
    proposer = add_actors(engine)[Role.VOLUNTEER]
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    add_result(engine, proposer, "heroin", yesterday, {"fentanyl": "adulterant"})
    add_result(engine, proposer, "cocaine", yesterday, {"cocaine": "expected"})
    engine.dispose()
    yield tmp_path


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LABSYS_DATA_DIR": str(data_dir)}
    env.pop("LABSYS_DATABASE_URL", None)
    return subprocess.run(
        [*LABSYS, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def in_process(lab: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], int]:
    """Run ``labsys`` in this process (one real subprocess per command is enough, and slow)."""
    monkeypatch.setenv("LABSYS_DATA_DIR", str(lab))
    monkeypatch.delenv("LABSYS_DATABASE_URL", raising=False)
    return main


def test_alerts_check_raises_each_alert_once(
    lab: Path, in_process: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> None:
    first = run(["alerts", "check"], lab)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "1 new alert(s)."
    assert "[synthetic-opioid] fentanyl found in a sample sold as heroin" in first.stdout
    assert in_process(["alerts", "check"]) == 0
    assert capsys.readouterr().out.strip() == "0 new alert(s)."


def test_export_json_to_a_file_and_csv_to_stdout(
    lab: Path, in_process: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> None:
    output = lab / "export.json"
    written = run(["export", "--format", "json", "--since", "2020-01-01", "-o", str(output)], lab)
    assert written.returncode == 0, written.stderr
    records = json.loads(output.read_text())["records"]
    assert sorted(r["sold_as"] for r in records) == ["cocaine", "heroin"]
    assert {r["date_precision"] for r in records} == {"week"}  # two samples: a quiet week
    assert in_process(["export"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("date,date_precision,site,sold_as")
    assert len(printed) == 3


def test_export_refuses_a_bad_date(
    in_process: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        in_process(["export", "--since", "yesterday"])
    assert exit_.value.code == 2
    assert "not a date like 2026-01-31" in capsys.readouterr().err
