"""The network export: documented fields, no codes, consent respected, quiet weeks coarsened."""

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import PermissionDenied
from labsys.monitoring.dashboard import table_csv
from labsys.monitoring.export import SMALL_WEEK, ExportRecord, export_records, to_csv, to_json
from labsys.results.models import SampleResult
from labsys.samples.models import Sample

MONDAY = date(2026, 3, 2)
FIELDS = [
    "date",
    "date_precision",
    "site",
    "sold_as",
    "form",
    "colour",
    "logo",
    "found",
    "adulterants",
    "purity_band",
    "result",
]


@pytest.fixture
def codes(engine: Engine, seed: Callable[..., SampleResult]) -> list[str]:
    """A busy site (five samples in one week) and a quiet one (two), plus unexportable ones."""
    for day in range(SMALL_WEEK):
        seed(
            "cocaine",
            MONDAY + timedelta(days=day),
            {"cocaine": "expected", "levamisole": "adulterant"},
            category="as_expected_with_adulterants",
            purity_band="medium",
        )
    for day in (0, 3):
        seed("heroin", MONDAY + timedelta(days=day), {"heroin": "expected"}, site="Night bus")
    seed("mdma", MONDAY, {"MDMA": "expected"}, consent=False)
    seed("mdma", MONDAY, {"MDMA": "expected"}, confirmed=False)
    with transaction(engine) as session:
        return list(session.scalars(select(Sample.code)))


def _records(engine: Engine, actor: Actor | None, **kwargs: object) -> list[ExportRecord]:
    with transaction(engine) as session:
        return export_records(session, actor, **kwargs)  # type: ignore[arg-type]


def test_only_consenting_confirmed_samples_with_quiet_weeks_coarsened(
    engine: Engine, actors: dict[Role, Actor], codes: list[str]
) -> None:
    records = _records(engine, actors[Role.COORDINATOR])
    assert len(records) == SMALL_WEEK + 2
    busy = [r for r in records if r.site == "Drop-in Gare"]
    quiet = [r for r in records if r.site == "Night bus"]
    assert {(r.date_precision, r.date) for r in quiet} == {("week", "2026-W10")}
    assert [r.date for r in busy] == [(MONDAY + timedelta(days=d)).isoformat() for d in range(5)]
    assert busy[0].found == ["cocaine", "levamisole"]
    assert busy[0].adulterants == ["levamisole"]
    assert (busy[0].purity_band, busy[0].result) == ("medium", "as_expected_with_adulterants")
    assert all(r.sold_as != "mdma" for r in records)


def test_since_and_permission(engine: Engine, actors: dict[Role, Actor], codes: list[str]) -> None:
    assert _records(engine, None, since=MONDAY + timedelta(days=7)) == []
    with pytest.raises(PermissionDenied):
        _records(engine, actors[Role.VOLUNTEER])


def test_csv_and_json_carry_the_documented_fields_and_no_code(
    engine: Engine, codes: list[str]
) -> None:
    records = _records(engine, None)
    as_csv = to_csv(records)
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert list(rows[0]) == FIELDS
    assert rows[0]["found"] == "cocaine; levamisole"
    document = json.loads(to_json(records, datetime(2026, 3, 9, tzinfo=UTC)))
    assert (document["format"], document["version"], document["small_week_threshold"]) == (
        "labsys-export",
        1,
        SMALL_WEEK,
    )
    assert list(document["records"][0]) == FIELDS
    for code in codes:
        assert code not in as_csv
        assert code not in json.dumps(document)


def test_csv_keeps_typed_text_from_running_as_a_formula(
    engine: Engine, seed: Callable[..., SampleResult]
) -> None:
    seed("cocaine", MONDAY, {"cocaine": "expected"}, colour='=HYPERLINK("x")')
    (row,) = csv.DictReader(io.StringIO(to_csv(_records(engine, None))))
    assert row["colour"] == '\'=HYPERLINK("x")'
    table = pd.DataFrame({"site": ["@evil", "Gare"], "samples": [1, -2]})
    assert table_csv(table).splitlines()[1:] == ["'@evil,1", "Gare,-2"]


def test_since_any_day_of_a_week_exports_the_whole_week(engine: Engine, codes: list[str]) -> None:
    """Exports from any day of a quiet week must not differ, or they would date its samples."""
    whole = _records(engine, None, since=MONDAY)
    assert len(whole) == SMALL_WEEK + 2
    for day in range(1, 7):
        assert _records(engine, None, since=MONDAY + timedelta(days=day)) == whole


def test_order_within_a_coarsened_week_is_by_content_not_arrival(
    engine: Engine, seed: Callable[..., SampleResult]
) -> None:
    """Week-dated records differing only in colour or purity band come in content order."""
    seed("ketamine", MONDAY, {"ketamine": "expected"}, site="A", colour="white")
    seed("ketamine", MONDAY + timedelta(days=3), {"ketamine": "expected"}, site="A", colour=None)
    seed("ketamine", MONDAY + timedelta(days=4), {"ketamine": "expected"}, site="A", colour="brown")
    seed("mdma", MONDAY, {"mdma": "expected"}, site="B", purity_band="medium")
    seed("mdma", MONDAY + timedelta(days=2), {"mdma": "expected"}, site="B", purity_band="high")
    records = _records(engine, None)
    assert {r.date_precision for r in records} == {"week"}
    assert [(r.site, r.colour, r.purity_band) for r in records] == [
        ("A", None, None),
        ("A", "brown", None),
        ("A", "white", None),
        ("B", "white", "high"),
        ("B", "white", "medium"),
    ]
