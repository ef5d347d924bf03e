"""What each alert rule finds in the confirmed results: drafts of alerts with their evidence.

Reads only; :mod:`labsys.monitoring.alerts` stores the drafts. A draft's ``identity`` says what
makes its evidence distinct (the sample and substance; for a prevalence rule, the ISO week of the
check), so the same evidence always gets the same key, however often it is evaluated.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, exists, func, select
from sqlalchemy.orm import Session

from labsys.monitoring.alert_rules import (
    AlertRule,
    DetectionRule,
    HighPurityRule,
    MismatchRule,
    PrevalenceRule,
)
from labsys.monitoring.queries import MonitoringFilters, counted
from labsys.results.models import FindingKind, ResultFinding, SampleResult
from labsys.samples.models import Sample

EVERYTHING = MonitoringFilters()


@dataclass(frozen=True)
class Scope:
    """Which results a check looks at: one just reviewed, or all confirmed since a moment.

    ``today`` ends a prevalence rule's window.
    """

    today: date
    result_id: int | None = None
    reviewed_since: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions that restrict a query to this scope."""
        if self.result_id is not None:
            return [SampleResult.id == self.result_id]
        if self.reviewed_since is not None:
            return [SampleResult.reviewed_at >= self.reviewed_since]
        return []


@dataclass(frozen=True)
class AlertDraft:
    """An alert a rule would raise, before it is stored."""

    rule: str
    kind: str
    substance: str
    title: str
    evidence: dict[str, Any]
    identity: str

    @property
    def evidence_key(self) -> str:
        """A stable digest of the rule and what makes this evidence distinct."""
        return hashlib.sha256(f"{self.rule}\n{self.identity}".encode()).hexdigest()


def match_rule(session: Session, rule: AlertRule, scope: Scope) -> list[AlertDraft]:
    """The alerts ``rule`` raises from the confirmed results in ``scope``."""
    match rule:
        case DetectionRule():
            return _per_finding(
                session,
                rule,
                scope,
                [ResultFinding.substance.in_(rule.substances)],
                lambda row: f"{row.substance} found in a sample sold as {row.sold_as}",
            )
        case MismatchRule():
            return _per_finding(
                session,
                rule,
                scope,
                [Sample.sold_as.in_(rule.sold_as), ResultFinding.substance.in_(rule.found)],
                lambda row: f"Sold as {row.sold_as}, found {row.substance}",
            )
        case HighPurityRule():
            return _per_finding(
                session,
                rule,
                scope,
                [
                    ResultFinding.substance == rule.substance,
                    ResultFinding.kind == FindingKind.EXPECTED.value,
                    SampleResult.purity_band.in_(rule.bands),
                ],
                lambda row: f"{row.substance} of {row.purity_band} purity",
            )
        case PrevalenceRule():
            return _prevalence(session, rule, scope)


def _finding_rows(session: Session, conditions: Sequence[ColumnElement[bool]]) -> list[Row[Any]]:
    statement = (
        counted(
            SampleResult.id.label("result_id"),
            Sample.code,
            Sample.received_on,
            Sample.site,
            Sample.sold_as,
            SampleResult.purity_band,
            ResultFinding.substance,
            filters=EVERYTHING,
        )
        .join(ResultFinding, ResultFinding.result_id == SampleResult.id)
        .where(*conditions)
        .order_by(Sample.received_on, Sample.code, ResultFinding.substance)
    )
    return list(session.execute(statement))


def _evidence_samples(session: Session, rows: Sequence[Row[Any]]) -> list[dict[str, Any]]:
    """One entry per sample: code, date, site, what it was sold as and everything found in it."""
    found: dict[int, list[str]] = defaultdict(list)
    result_ids = {row.result_id for row in rows}
    statement = (
        select(ResultFinding.result_id, ResultFinding.substance)
        .where(ResultFinding.result_id.in_(result_ids))
        .order_by(ResultFinding.substance)
    )
    for result_id, substance in session.execute(statement):
        found[result_id].append(substance)
    return [
        {
            "code": row.code,
            "received_on": row.received_on.isoformat(),
            "site": row.site,
            "sold_as": row.sold_as,
            "found": found[row.result_id],
            "purity_band": row.purity_band,
        }
        for row in {row.result_id: row for row in rows}.values()
    ]


def _per_finding(
    session: Session,
    rule: DetectionRule | MismatchRule | HighPurityRule,
    scope: Scope,
    conditions: list[ColumnElement[bool]],
    headline: Callable[[Row[Any]], str],
) -> list[AlertDraft]:
    """One alert per matching finding: a single confirmed sample is evidence enough."""
    rows = _finding_rows(session, [*conditions, *scope.conditions()])
    if not rows:
        return []
    samples = {entry["code"]: entry for entry in _evidence_samples(session, rows)}
    return [
        AlertDraft(
            rule=rule.name,
            kind=rule.kind,
            substance=row.substance,
            title=f"{headline(row)} ({row.site}, {row.received_on.isoformat()})",
            evidence={"samples": [samples[row.code]], "figures": {}},
            identity=f"{row.code}\n{row.substance}",
        )
        for row in rows
    ]


def _prevalence(session: Session, rule: PrevalenceRule, scope: Scope) -> list[AlertDraft]:
    """At most one alert per rule and ISO week, when the window's share beats the baseline's."""
    contains = [Sample.sold_as.in_(rule.sold_as), ResultFinding.substance == rule.adulterant]
    if scope.result_id is not None and not _finding_rows(session, [*contains, *scope.conditions()]):
        return []  # the result just reviewed does not bear on this rule
    window_start = scope.today - timedelta(days=rule.window_days - 1)
    baseline_start = window_start - timedelta(days=rule.baseline_days)
    in_window = Sample.received_on >= window_start
    has = exists().where(
        ResultFinding.result_id == SampleResult.id, ResultFinding.substance == rule.adulterant
    )
    period = MonitoringFilters(start=baseline_start, end=scope.today)
    counts = session.execute(
        counted(
            func.count().filter(in_window),
            func.count().filter(and_(in_window, has)),
            func.count().filter(~in_window),
            func.count().filter(and_(~in_window, has)),
            filters=period,
        ).where(Sample.sold_as.in_(rule.sold_as))
    ).one()
    window_samples, window_with, baseline_samples, baseline_with = counts
    window_percent = _percent(window_with, window_samples)
    baseline_percent = _percent(baseline_with, baseline_samples)
    if window_with < rule.min_count or window_percent - baseline_percent < rule.margin_percent:
        return []
    rows = _finding_rows(session, [*contains, in_window, Sample.received_on <= scope.today])
    year, week, _ = scope.today.isocalendar()
    sold_as = "/".join(rule.sold_as)
    return [
        AlertDraft(
            rule=rule.name,
            kind=rule.kind,
            substance=rule.adulterant,
            title=(
                f"{rule.adulterant} in {sold_as}: {window_percent:.0f} % of {window_samples} "
                f"samples in the last {rule.window_days} days (baseline {baseline_percent:.0f} %)"
            ),
            evidence={
                "samples": _evidence_samples(session, rows),
                "figures": {
                    "window": f"{window_start.isoformat()}/{scope.today.isoformat()}",
                    "window_samples": window_samples,
                    "window_with": window_with,
                    "window_percent": round(window_percent, 1),
                    "baseline": f"{baseline_start.isoformat()}/{window_start.isoformat()}",
                    "baseline_samples": baseline_samples,
                    "baseline_with": baseline_with,
                    "baseline_percent": round(baseline_percent, 1),
                    "margin_percent": rule.margin_percent,
                    "min_count": rule.min_count,
                },
            },
            identity=f"{year}-W{week:02d}",
        )
    ]


def _percent(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0
