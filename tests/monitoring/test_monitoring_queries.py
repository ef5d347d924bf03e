"""Dashboard queries on both backends: only confirmed results of consenting samples count."""

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import PermissionDenied
from labsys.monitoring.queries import (
    AdulterantPrevalence,
    MismatchRate,
    MonitoringFilters,
    SiteCount,
    SoldAsFound,
    WeekCount,
    adulterant_prevalence,
    by_site,
    filter_options,
    found_by_sold_as,
    mismatch_rate,
    samples_per_week,
)

EVERYTHING = MonitoringFilters()


@pytest.fixture
def seeded(seed: Callable[..., object]) -> None:
    """Two weeks of cocaine and heroin at two sites, plus samples that must not be counted."""
    seed("cocaine", date(2026, 3, 2), {"cocaine": "expected"})  # a Monday
    seed(
        "cocaine",
        date(2026, 3, 8),  # the Sunday of the same week
        {"cocaine": "expected", "levamisole": "adulterant", "caffeine": "adulterant"},
        category="as_expected_with_adulterants",
    )
    seed(
        "cocaine",
        date(2026, 3, 9),
        {"lidocaine": "other"},
        category="different_substance",
        site="Festival tent",
    )
    seed(
        "heroin",
        date(2026, 4, 1),
        {},
        category="nothing_detected",
        site="Festival tent",
    )
    seed("heroin", date(2026, 4, 2), {}, category="inconclusive")
    seed("cocaine", date(2026, 3, 3), {"levamisole": "adulterant"}, consent=False)
    seed("cocaine", date(2026, 3, 3), {"fentanyl": "adulterant"}, confirmed=False)


def _coordinator(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.COORDINATOR]


def test_samples_per_week_counts_consenting_confirmed_by_monday(
    engine: Engine, actors: dict[Role, Actor], seeded: None
) -> None:
    with transaction(engine) as session:
        weeks = samples_per_week(session, _coordinator(actors), EVERYTHING)
    assert weeks == [
        WeekCount(date(2026, 3, 2), 2),
        WeekCount(date(2026, 3, 9), 1),
        WeekCount(date(2026, 3, 30), 2),
    ]


def test_found_by_sold_as_counts_each_substance_and_nothing(
    engine: Engine, actors: dict[Role, Actor], seeded: None
) -> None:
    with transaction(engine) as session:
        rows = found_by_sold_as(session, _coordinator(actors), EVERYTHING)
    assert set(rows) == {
        SoldAsFound("cocaine", "cocaine", 2),
        SoldAsFound("cocaine", "levamisole", 1),
        SoldAsFound("cocaine", "caffeine", 1),
        SoldAsFound("cocaine", "lidocaine", 1),
        SoldAsFound("heroin", None, 2),
    }
    assert rows[0] in (SoldAsFound("cocaine", "cocaine", 2), SoldAsFound("heroin", None, 2))


def test_adulterant_prevalence_per_month(
    engine: Engine, actors: dict[Role, Actor], seeded: None
) -> None:
    with transaction(engine) as session:
        rows = adulterant_prevalence(session, _coordinator(actors), EVERYTHING)
    assert rows == [
        AdulterantPrevalence(date(2026, 3, 1), "caffeine", 1, 3),
        AdulterantPrevalence(date(2026, 3, 1), "levamisole", 1, 3),
    ]
    assert rows[0].share == pytest.approx(1 / 3)


def test_mismatch_rate_leaves_out_inconclusive(
    engine: Engine, actors: dict[Role, Actor], seeded: None
) -> None:
    with transaction(engine) as session:
        rows = mismatch_rate(session, _coordinator(actors), EVERYTHING, period="month")
    assert rows == [
        MismatchRate(date(2026, 3, 1), 3, 1, 0),
        MismatchRate(date(2026, 4, 1), 1, 0, 1),
    ]
    assert rows[1].rate == 1.0


def test_by_site_and_week(engine: Engine, actors: dict[Role, Actor], seeded: None) -> None:
    with transaction(engine) as session:
        rows = by_site(session, _coordinator(actors), EVERYTHING, period="week")
    assert rows == [
        SiteCount("Drop-in Gare", date(2026, 3, 2), 2, 1, 0),
        SiteCount("Drop-in Gare", date(2026, 3, 30), 1, 0, 0),
        SiteCount("Festival tent", date(2026, 3, 9), 1, 0, 1),
        SiteCount("Festival tent", date(2026, 3, 30), 1, 0, 1),
    ]


FILTER_CASES = [
    (MonitoringFilters(start=date(2026, 3, 8), end=date(2026, 3, 31)), 2),
    (MonitoringFilters(site="Festival tent"), 2),
    (MonitoringFilters(substance="Levamisole"), 1),
    (MonitoringFilters(substance="heroin"), 2),
    (MonitoringFilters(substance="fentanyl"), 0),
]


def test_filters(engine: Engine, actors: dict[Role, Actor], seeded: None) -> None:
    with transaction(engine) as session:
        counted = {
            filters: sum(
                w.samples for w in samples_per_week(session, _coordinator(actors), filters)
            )
            for filters, _ in FILTER_CASES
        }
    assert counted == dict(FILTER_CASES)


def test_substance_filter_keeps_every_finding_of_the_matching_samples(
    engine: Engine, actors: dict[Role, Actor], seeded: None
) -> None:
    with transaction(engine) as session:
        rows = found_by_sold_as(
            session, _coordinator(actors), MonitoringFilters(substance="levamisole")
        )
    assert {row.found for row in rows} == {"cocaine", "levamisole", "caffeine"}


def test_filter_options(
    engine: Engine, actors: dict[Role, Actor], seed: Callable[..., object], seeded: None
) -> None:
    seed("cocaine", date(2026, 3, 4), {"ketamine": "adulterant"}, consent=False)
    with transaction(engine) as session:
        options = filter_options(session, _coordinator(actors))
    assert options.sites == ["Drop-in Gare", "Festival tent"]
    assert {"cocaine", "heroin", "levamisole"} <= set(options.substances)
    # found only in a sample without consent (ketamine) or in an unreviewed result (fentanyl)
    assert not {"ketamine", "fentanyl"} & set(options.substances)
    assert (options.first, options.last) == (date(2026, 3, 2), date(2026, 4, 2))


def test_monitoring_needs_the_monitor_permission(engine: Engine, actors: dict[Role, Actor]) -> None:
    with transaction(engine) as session, pytest.raises(PermissionDenied):
        samples_per_week(session, actors[Role.VOLUNTEER], EVERYTHING)
