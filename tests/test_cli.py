"""The ``labsys`` command: real subprocesses, clear errors, no tracebacks, no password in argv."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

LABSYS = [sys.executable, "-m", "labsys.cli"]


def run(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LABSYS_DATA_DIR": str(data_dir)}
    env.pop("LABSYS_DATABASE_URL", None)
    return subprocess.run(
        [*LABSYS, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_upgrade_user_add_and_demo(tmp_path: Path) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    assert (tmp_path / "labsys.sqlite3").exists()
    added = run(["user", "add", "robin", "--role", "coordinator"], tmp_path, stdin="s3cret-pass\n")
    assert added.returncode == 0, added.stderr
    refused = run(["demo"], tmp_path)
    assert refused.returncode == 2
    assert "already has users" in refused.stderr
    assert run(["demo", "--if-empty"], tmp_path).returncode == 0


def test_demo_on_a_new_database_prints_the_accounts(tmp_path: Path) -> None:
    result = run(["demo"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "volunteer / volunteer-demo" in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "add", "robin", "--role", "boss"], "long enough\n", "Unknown role"),
        (["user", "add", "robin", "--role", "admin"], "short\n", "at least 8"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    run(["db", "upgrade"], tmp_path)
    result = run(args, tmp_path, stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_reported(tmp_path: Path) -> None:
    env = {**os.environ, "LABSYS_DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"}
    blocker = tmp_path / "missing"
    blocker.write_text("a file where a folder should be")
    result = subprocess.run(
        [*LABSYS, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
