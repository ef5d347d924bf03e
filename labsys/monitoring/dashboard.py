"""Everything the monitoring page shows, gathered in one call and laid out as named tables.

The page draws charts from these tables and offers each as a CSV download, so what is charted
and what is downloaded are the same numbers, computed by the tested queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from labsys.auth import Actor
from labsys.monitoring.export import spreadsheet_safe
from labsys.monitoring.periods import Period
from labsys.monitoring.queries import (
    AdulterantPrevalence,
    MismatchRate,
    MonitoringFilters,
    SiteCount,
    SoldAsFound,
    WeekCount,
    adulterant_prevalence,
    by_site,
    found_by_sold_as,
    mismatch_rate,
    samples_per_week,
)

NOTHING_FOUND = "(nothing detected)"


@dataclass(frozen=True)
class Dashboard:
    """The results of every dashboard query for one set of filters."""

    weeks: list[WeekCount]
    found: list[SoldAsFound]
    prevalence: list[AdulterantPrevalence]
    mismatches: list[MismatchRate]
    sites: list[SiteCount]


def load_dashboard(
    session: Session, actor: Actor, filters: MonitoringFilters, period: Period
) -> Dashboard:
    """Run every dashboard query (each checks the MONITOR permission)."""
    return Dashboard(
        weeks=samples_per_week(session, actor, filters),
        found=found_by_sold_as(session, actor, filters),
        prevalence=adulterant_prevalence(session, actor, filters, period),
        mismatches=mismatch_rate(session, actor, filters, period),
        sites=by_site(session, actor, filters, period),
    )


def dashboard_tables(dashboard: Dashboard) -> dict[str, pd.DataFrame]:
    """One table per chart, with plain column names and shares as percentages."""
    return {
        "samples_per_week": _table(
            ["week", "samples"], [(w.week, w.samples) for w in dashboard.weeks]
        ),
        "sold_as_and_found": _table(
            ["sold as", "found", "samples"],
            [(f.sold_as, f.found or NOTHING_FOUND, f.samples) for f in dashboard.found],
        ),
        "adulterant_prevalence": _table(
            ["period", "adulterant", "samples with it", "samples", "percent"],
            [
                (p.period, p.adulterant, p.samples_with, p.samples, round(100 * p.share, 1))
                for p in dashboard.prevalence
            ],
        ),
        "mismatch_rate": _table(
            [
                "period",
                "conclusive samples",
                "different substance",
                "expected not detected",
                "percent",
            ],
            [
                (m.period, m.samples, m.different_substance, m.not_detected, round(100 * m.rate, 1))
                for m in dashboard.mismatches
            ],
        ),
        "by_site": _table(
            ["site", "period", "samples", "with adulterants", "mismatches"],
            [
                (s.site, s.period, s.samples, s.with_adulterants, s.mismatches)
                for s in dashboard.sites
            ],
        ),
    }


def table_csv(table: pd.DataFrame) -> str:
    """A table as CSV for download, typed text kept from running as a spreadsheet formula."""
    return table.map(spreadsheet_safe).to_csv(index=False)


def _table(columns: list[str], rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns)
