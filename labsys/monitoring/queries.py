"""Dashboard queries: what circulates, counted by the database.

Every query counts confirmed (reviewed) results of samples whose owner consented to anonymised
monitoring; a sample without consent is never counted, whatever the filter. Each query is one or
two aggregated SELECTs grouped on indexed columns, so the dashboard stays fast at 100,000 samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from labsys.auth import Actor, Permission, require
from labsys.monitoring.periods import Period, period_start
from labsys.results.categories import ResultCategory
from labsys.results.models import FindingKind, ResultFinding, ResultStatus, SampleResult
from labsys.samples.models import Sample

MISMATCHES = (ResultCategory.DIFFERENT_SUBSTANCE.value, ResultCategory.NOTHING_DETECTED.value)


@dataclass(frozen=True)
class MonitoringFilters:
    """Which results a query counts; every field is optional.

    Attributes
    ----------
    start, end
        Received on or after ``start`` and on or before ``end``.
    site
        Received at this site.
    substance
        Sold as this substance, or found to contain it (case ignored).
    """

    start: date | None = None
    end: date | None = None
    site: str | None = None
    substance: str | None = None


@dataclass(frozen=True)
class WeekCount:
    """Confirmed samples received in one ISO week (``week`` is its Monday)."""

    week: date
    samples: int


@dataclass(frozen=True)
class SoldAsFound:
    """How many samples sold as ``sold_as`` contained ``found`` (None: nothing was detected)."""

    sold_as: str
    found: str | None
    samples: int


@dataclass(frozen=True)
class AdulterantPrevalence:
    """Share of the period's samples in which ``adulterant`` was found as an adulterant."""

    period: date
    adulterant: str
    samples_with: int
    samples: int

    @property
    def share(self) -> float:
        """``samples_with / samples`` (0 to 1)."""
        return self.samples_with / self.samples


@dataclass(frozen=True)
class MismatchRate:
    """Conclusive results of one period and how many were not what they were sold as."""

    period: date
    samples: int
    different_substance: int
    not_detected: int

    @property
    def rate(self) -> float:
        """Share of conclusive results that were a different substance or lacked the expected."""
        return (self.different_substance + self.not_detected) / self.samples


@dataclass(frozen=True)
class SiteCount:
    """One site's confirmed samples in one period, with adulterated and mismatched ones."""

    site: str
    period: date
    samples: int
    with_adulterants: int
    mismatches: int


@dataclass(frozen=True)
class FilterOptions:
    """What the dashboard's filters can offer: sites, substances and the range of dates."""

    sites: list[str]
    substances: list[str]
    first: date | None
    last: date | None


def counted(*columns: Any, filters: MonitoringFilters) -> Select[Any]:
    """``SELECT columns`` over confirmed results of consenting samples matching ``filters``.

    The one place that decides what monitoring counts; the export and the alert rules start here
    too.
    """
    return (
        select(*columns)
        .select_from(Sample)
        .join(SampleResult, SampleResult.sample_id == Sample.id)
        .where(*_conditions(filters))
    )


def _conditions(filters: MonitoringFilters) -> list[ColumnElement[bool]]:
    conditions = [
        Sample.monitoring_consent.is_(True),
        SampleResult.status == ResultStatus.CONFIRMED.value,
    ]
    if filters.start is not None:
        conditions.append(Sample.received_on >= filters.start)
    if filters.end is not None:
        conditions.append(Sample.received_on <= filters.end)
    if filters.site:
        conditions.append(Sample.site == filters.site)
    if filters.substance:
        name = filters.substance.strip().lower()
        finding = aliased(ResultFinding)  # queries may join findings themselves
        found = exists().where(
            finding.result_id == SampleResult.id, func.lower(finding.substance) == name
        )
        conditions.append(or_(Sample.sold_as == name, found))
    return conditions


def samples_per_week(session: Session, actor: Actor, filters: MonitoringFilters) -> list[WeekCount]:
    """Confirmed samples per ISO week, oldest first (weeks without samples are absent)."""
    require(actor, Permission.MONITOR)
    week = period_start(Sample.received_on, "week").label("week")
    statement = counted(week, func.count(), filters=filters).group_by(week).order_by(week)
    return [WeekCount(*row) for row in session.execute(statement)]


def found_by_sold_as(
    session: Session, actor: Actor, filters: MonitoringFilters
) -> list[SoldAsFound]:
    """What samples sold as each substance were found to contain, most frequent first.

    A sample with several substances counts once for each; one with none counts under None.
    A result has one finding row per substance, so counting rows counts samples.
    """
    require(actor, Permission.MONITOR)
    samples = func.count().label("samples")
    statement = (
        counted(Sample.sold_as, ResultFinding.substance, samples, filters=filters)
        .outerjoin(ResultFinding, ResultFinding.result_id == SampleResult.id)
        .group_by(Sample.sold_as, ResultFinding.substance)
        .order_by(samples.desc(), Sample.sold_as, ResultFinding.substance)
    )
    return [SoldAsFound(*row) for row in session.execute(statement)]


def adulterant_prevalence(
    session: Session, actor: Actor, filters: MonitoringFilters, period: Period = "month"
) -> list[AdulterantPrevalence]:
    """For each period and adulterant, in how many of the period's samples it was found."""
    require(actor, Permission.MONITOR)
    start = period_start(Sample.received_on, period).label("period")
    totals_query = counted(start, func.count(), filters=filters).group_by(start)
    totals = {when: count for when, count in session.execute(totals_query)}
    with_adulterant = (
        counted(start, ResultFinding.substance, func.count(), filters=filters)
        .join(ResultFinding, ResultFinding.result_id == SampleResult.id)
        .where(ResultFinding.kind == FindingKind.ADULTERANT.value)
        .group_by(start, ResultFinding.substance)
        .order_by(start, ResultFinding.substance)
    )
    return [
        AdulterantPrevalence(when, substance, count, totals[when])
        for when, substance, count in session.execute(with_adulterant)
    ]


def mismatch_rate(
    session: Session, actor: Actor, filters: MonitoringFilters, period: Period = "month"
) -> list[MismatchRate]:
    """Per period, conclusive results and those of a different substance or lacking the expected.

    Inconclusive results are left out: they say nothing about whether the sample matched.
    """
    require(actor, Permission.MONITOR)
    start = period_start(Sample.received_on, period).label("period")
    statement = (
        counted(
            start,
            func.count(),
            func.count().filter(SampleResult.category == ResultCategory.DIFFERENT_SUBSTANCE.value),
            func.count().filter(SampleResult.category == ResultCategory.NOTHING_DETECTED.value),
            filters=filters,
        )
        .where(SampleResult.category != ResultCategory.INCONCLUSIVE.value)
        .group_by(start)
        .order_by(start)
    )
    return [MismatchRate(*row) for row in session.execute(statement)]


def by_site(
    session: Session, actor: Actor, filters: MonitoringFilters, period: Period = "month"
) -> list[SiteCount]:
    """Per site and period: confirmed samples, those with adulterants and the mismatches."""
    require(actor, Permission.MONITOR)
    start = period_start(Sample.received_on, period).label("period")
    adulterated = SampleResult.category == ResultCategory.AS_EXPECTED_WITH_ADULTERANTS.value
    statement = (
        counted(
            Sample.site,
            start,
            func.count(),
            func.count().filter(adulterated),
            func.count().filter(SampleResult.category.in_(MISMATCHES)),
            filters=filters,
        )
        .group_by(Sample.site, start)
        .order_by(Sample.site, start)
    )
    return [SiteCount(*row) for row in session.execute(statement)]


def filter_options(session: Session, actor: Actor) -> FilterOptions:
    """Sites, substances (sold as or found) and the date range the filters can choose from.

    Taken from what the other queries count (consenting samples, confirmed results) and nothing
    else: a name found only in a non-consenting or unreviewed sample must not show in the list.
    """
    require(actor, Permission.MONITOR)
    everything = MonitoringFilters()
    sites = session.scalars(
        counted(Sample.site, filters=everything).distinct().order_by(Sample.site)
    )
    sold_as = session.scalars(counted(Sample.sold_as, filters=everything).distinct())
    found = session.scalars(
        counted(ResultFinding.substance, filters=everything)
        .join(ResultFinding, ResultFinding.result_id == SampleResult.id)
        .distinct()
    )
    first, last = session.execute(
        counted(func.min(Sample.received_on), func.max(Sample.received_on), filters=everything)
    ).one()
    substances = sorted({*sold_as, *(name.lower() for name in found)})
    return FilterOptions(sites=list(sites), substances=substances, first=first, last=last)
