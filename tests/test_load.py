"""A short load run (the full one is benchmarks/load.py): nothing lost, duplicated or unaudited."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.load import private_database, run_load
from tests.conftest import NO_POSTGRES, POSTGRES_URL


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
def test_four_processes_for_five_seconds(tmp_path: Path, url: str | None) -> None:
    with private_database(url, tmp_path) as database_url:
        report = run_load(database_url, tmp_path, workers=4, seconds=5)
    assert report.ops > 0
    assert report.user_errors == []
    assert (report.lost_updates, report.duplicate_codes, report.missing_audit) == (0, 0, 0)
