"""Anonymised results for early-warning networks, as CSV or JSON (fields in ``docs/export.md``).

Only confirmed results of samples with monitoring consent are exported, never a sample code or
any other identifier. Where a site saw fewer than :data:`SMALL_WEEK` exported samples in an ISO
week, those samples are dated by the week alone (``2026-W09``), so that a person who came on a
quiet day cannot be singled out by the date. ``since`` is rounded down to its week's Monday, so
that exports starting on different days of a week count the same samples and cannot be compared
to date one. Rows are sorted by week and every other field, never by day or arrival, so their
order gives no day away either.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from labsys.auth import Actor, Permission, require
from labsys.monitoring.queries import MonitoringFilters, counted
from labsys.results.models import FindingKind, ResultFinding, SampleResult
from labsys.samples.models import Sample

SMALL_WEEK = 5
"""A site's week with fewer exported samples than this is dated by the week only."""
FORMAT = "labsys-export"
VERSION = 1
ExportFormat = Literal["csv", "json"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRecord:
    """One sample's result as shared with partner networks (see ``docs/export.md``)."""

    date: str
    date_precision: Literal["day", "week"]
    site: str
    sold_as: str
    form: str
    colour: str | None
    logo: str | None
    found: list[str]
    adulterants: list[str]
    purity_band: str | None
    result: str


def export_records(
    session: Session, actor: Actor | None, *, since: date | None = None
) -> list[ExportRecord]:
    """The anonymised records of every exportable sample received in or after ``since``'s week.

    ``since`` is rounded down to the Monday of its ISO week: quiet weeks are counted whole, or
    exports from Monday, Tuesday, ... could be compared to find the day of a week-dated sample.
    ``actor`` is None only for the command line, run by whoever operates the server.
    """
    if actor is not None:
        require(actor, Permission.MONITOR)
    filters = MonitoringFilters(start=week_monday(since) if since is not None else None)
    rows = session.execute(
        counted(
            SampleResult.id,
            Sample.received_on,
            Sample.site,
            Sample.sold_as,
            Sample.form,
            Sample.colour,
            Sample.logo,
            SampleResult.purity_band,
            SampleResult.category,
            filters=filters,
        )
    ).all()
    found: dict[int, list[str]] = defaultdict(list)
    adulterants: dict[int, list[str]] = defaultdict(list)
    findings = counted(
        ResultFinding.result_id, ResultFinding.substance, ResultFinding.kind, filters=filters
    ).join(ResultFinding, ResultFinding.result_id == SampleResult.id)
    for result_id, substance, kind in session.execute(findings.order_by(ResultFinding.substance)):
        found[result_id].append(substance)
        if kind == FindingKind.ADULTERANT.value:
            adulterants[result_id].append(substance)
    weeks = [_iso_week(row.received_on) for row in rows]
    per_site_week = Counter(zip((row.site for row in rows), weeks, strict=True))
    records = []
    for row, week in zip(rows, weeks, strict=True):
        coarse = per_site_week[row.site, week] < SMALL_WEEK
        record = ExportRecord(
            date=week if coarse else row.received_on.isoformat(),
            date_precision="week" if coarse else "day",
            site=row.site,
            sold_as=row.sold_as,
            form=row.form,
            colour=row.colour,
            logo=row.logo,
            found=found[row.id],
            adulterants=adulterants[row.id],
            purity_band=row.purity_band,
            result=row.category,
        )
        records.append((week, record))
    records.sort(key=lambda pair: (pair[0], _content(pair[1])))
    return [record for _, record in records]


def week_monday(day: date) -> date:
    """The Monday of ``day``'s ISO week: where an export's ``since`` really starts."""
    return day - timedelta(days=day.weekday())


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _content(record: ExportRecord) -> tuple[tuple[bool, str | tuple[str, ...]], ...]:
    """Every field but the date, None before any text: the order within a week.

    Records that tie here are identical once dated by week, so arrival order never shows.
    """
    return tuple(
        (value is not None, tuple(value) if isinstance(value, list) else value or "")
        for name, value in ((f.name, getattr(record, f.name)) for f in fields(ExportRecord))
        if name != "date"
    )


def to_csv(records: list[ExportRecord]) -> str:
    """CSV with a header; lists (``found``, ``adulterants``) joined by ``"; "``; None is empty."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[f.name for f in fields(ExportRecord)])
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                key: spreadsheet_safe("; ".join(value) if isinstance(value, list) else value)
                for key, value in asdict(record).items()
            }
        )
    return buffer.getvalue()


def spreadsheet_safe(value: object) -> object:
    """Typed text a spreadsheet would run as a formula, with an apostrophe in front.

    Partners open CSV files in spreadsheets; a colour or logo typed as ``=HYPERLINK(...)`` must
    stay text (OWASP, "CSV Injection"). The JSON export carries values unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return f"'{value}"
    return value


def to_json(records: list[ExportRecord], generated_at: datetime) -> str:
    """JSON: the format name and version, when it was made, the week threshold and the records."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "small_week_threshold": SMALL_WEEK,
        "records": [asdict(record) for record in records],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def serialise(
    records: list[ExportRecord], export_format: ExportFormat, generated_at: datetime
) -> str:
    """The records in ``export_format``."""
    if export_format == "csv":
        return to_csv(records)
    return to_json(records, generated_at)
