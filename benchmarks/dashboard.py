"""How fast are the dashboard and the alert check at 100,000 samples?

Run as ``.venv/bin/python benchmarks/dashboard.py [--samples N] [--url URL]``.

Fills a fresh database with ``--samples`` samples (100,000) received over three years, with
their results, by bulk Core inserts; then times every dashboard query (each on all three years,
on the last year, and on the last year for one site and one substance; the median of three runs)
and one full alert check (rules loaded, every rule evaluated, new alerts stored and committed).

The data are simulated, not real: six sites of unequal size, what samples were sold as, the
expected substance found in most, adulterants whose prevalence drifts over the three years
(levamisole in cocaine rising, phenacetin falling, fentanyl and xylazine appearing in heroin),
PMMA in a few "MDMA" tablets, about 80 % monitoring consent and 95 % of results confirmed.

Without ``--url`` a temporary SQLite file is used. With a PostgreSQL URL (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) the benchmark creates a schema of its own
there and drops it afterwards; it runs ANALYZE after the load, as autovacuum would shortly after
one (SQLite has no such daemon and the app never runs ANALYZE, so neither does the benchmark).

The last line is ``backend= samples= worst_query_ms= median_query_ms= alert_check_s=``.
Targets: every dashboard query at most 200 ms on SQLite, the alert check at most 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labsys.auth import Actor, Role, User
from labsys.db import make_engine, transaction, upgrade
from labsys.monitoring import queries
from labsys.monitoring.alerts import evaluate_all
from labsys.monitoring.queries import MonitoringFilters
from labsys.results.models import ResultFinding, SampleResult
from labsys.samples.models import Sample

END = date(2026, 11, 22)
DAYS = 3 * 365
CHUNK = 10_000
SITES = {  # site: relative size
    "Drop-in Gare": 30,
    "Festival tent": 25,
    "Outreach squat": 15,
    "Harm reduction centre": 20,
    "Night bus": 8,
    "Rural outreach van": 2,
}
SOLD_AS = {  # sold as: (share, expected substance as the library names it, form)
    "cocaine": (35, "cocaine", "powder"),
    "heroin": (15, "heroin", "powder"),
    "mdma": (20, "MDMA", "tablet"),
    "amphetamine": (10, "amphetamine", "powder"),
    "ketamine": (8, "ketamine", "crystal"),
    "3-mmc": (7, "3-MMC", "powder"),
    "methamphetamine": (5, "methamphetamine", "crystal"),
}
ADULTERANTS = {  # sold as: {adulterant: (prevalence three years ago, prevalence now)}
    "cocaine": {
        "levamisole": (0.15, 0.40),
        "phenacetin": (0.20, 0.10),
        "caffeine": (0.30, 0.30),
        "lidocaine": (0.15, 0.20),
        "benzocaine": (0.05, 0.05),
    },
    "heroin": {
        "caffeine": (0.50, 0.50),
        "paracetamol": (0.45, 0.50),
        "fentanyl": (0.005, 0.04),
        "xylazine": (0.0, 0.03),
    },
    "mdma": {"caffeine": (0.05, 0.05)},
    "amphetamine": {"caffeine": (0.60, 0.60)},
    "3-mmc": {"caffeine": (0.10, 0.10)},
}
SUBSTITUTES = {  # what is found instead when the expected substance is not
    "cocaine": ["lidocaine", "benzocaine"],
    "heroin": ["fentanyl", "isotonitazene"],
    "mdma": ["PMMA", "MDMA", "methamphetamine"],
    "amphetamine": ["methamphetamine", "caffeine"],
    "ketamine": ["3-MMC"],
    "3-mmc": ["4-CMC"],
    "methamphetamine": ["amphetamine"],
}
COLOURS = ["white", "off-white", "brown", "pink", "blue", "grey", None]
LOGOS = ["skull", "tesla", "crown", "superman", None, None, None]


def simulate(count: int, seed: int) -> Iterator[tuple[dict, dict | None, list[dict]]]:
    """Yield (sample, result or None, findings) rows, ids in the order samples were received."""
    rng = random.Random(seed)
    sites, site_weights = list(SITES), list(SITES.values())
    names = list(SOLD_AS)
    weights = [share for share, _, _ in SOLD_AS.values()]
    start = END - timedelta(days=DAYS - 1)
    now = datetime.combine(END, clock(23), UTC)
    finding_id = 0
    days = sorted(rng.randrange(DAYS) for _ in range(count))  # registered as they come in
    for sample_id, day in enumerate(days, start=1):
        received_on = start + timedelta(days=day)
        sold_as = rng.choices(names, weights)[0]
        _, expected, form = SOLD_AS[sold_as]
        sample = {
            "id": sample_id,
            "code": f"B{sample_id:010d}",
            "sold_as": sold_as,
            "form": form,
            "colour": rng.choice(COLOURS),
            "logo": rng.choice(LOGOS) if form == "tablet" else None,
            "site": rng.choices(sites, site_weights)[0],
            "received_on": received_on,
            "monitoring_consent": rng.random() < 0.8,
            "state": "closed",
            "version": 1,
        }
        if rng.random() < 0.05:  # still in the lab
            yield sample, None, []
            continue
        drift = (received_on - start).days / DAYS
        found: dict[str, str] = {}
        if rng.random() < 0.88:
            found[expected] = "expected"
        elif rng.random() < 0.6:
            found[rng.choice(SUBSTITUTES[sold_as])] = "other"
        for adulterant, (then, later) in ADULTERANTS.get(sold_as, {}).items():
            if rng.random() < then + (later - then) * drift:
                found.setdefault(adulterant, "adulterant")
        category = _category(found, rng)
        reviewed_at = datetime.combine(
            received_on + timedelta(days=rng.randint(0, 3)), clock(20), UTC
        )
        result = {
            "id": sample_id,
            "sample_id": sample_id,
            "category": category,
            "purity_band": rng.choices(["low", "medium", "high"], [3, 5, 2])[0]
            if "expected" in found.values()
            else None,
            "status": "confirmed" if rng.random() < 0.95 else "proposed",
            "proposed_by_id": 1,
            "reviewed_at": min(reviewed_at, now),
            "version": 1,
        }
        findings = []
        for substance, kind in found.items():
            finding_id += 1
            findings.append(
                {
                    "id": finding_id,
                    "result_id": sample_id,
                    "substance": substance,
                    "kind": kind,
                    "confidence": "high",
                }
            )
        yield sample, result, findings


def _category(found: dict[str, str], rng: random.Random) -> str:
    kinds = set(found.values())
    if rng.random() < 0.03:
        return "inconclusive"
    if "expected" not in kinds:
        return "different_substance" if found else "nothing_detected"
    return "as_expected_with_adulterants" if "adulterant" in kinds else "as_expected"


def fill(engine: Engine, count: int, seed: int) -> float:
    """Insert the simulated samples in chunks of executemany; return the seconds it took."""
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            insert(User.__table__),
            [{"id": 1, "username": "benchmark", "password_hash": "!", "role": "coordinator"}],
        )
    samples: list[dict] = []
    results: list[dict] = []
    findings: list[dict] = []
    for sample, result, found in simulate(count, seed):
        samples.append(sample)
        if result is not None:
            results.append(result)
        findings.extend(found)
        if len(samples) == CHUNK:
            _insert(engine, samples, results, findings)
    _insert(engine, samples, results, findings)
    if engine.dialect.name == "postgresql":  # as autovacuum would soon after a bulk load
        with engine.begin() as connection:
            connection.execute(text("ANALYZE samples, sample_results, result_findings"))
    return time.perf_counter() - started


def _insert(engine: Engine, samples: list[dict], results: list[dict], findings: list[dict]) -> None:
    with engine.begin() as connection:
        for table, rows in (
            (Sample.__table__, samples),
            (SampleResult.__table__, results),
            (ResultFinding.__table__, findings),
        ):
            if rows:
                connection.execute(insert(table), rows)
            rows.clear()


def _timed(work: Callable[[], Any], repeats: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time of this process for ``work``, in milliseconds.

    On SQLite the database works inside this process, so CPU time shows the query's own cost
    when other programs compete for the processor; wall time is what a coordinator waits.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def time_queries(engine: Engine) -> dict[str, tuple[float, float]]:
    """Wall and CPU milliseconds per dashboard query and filter set."""
    actor = Actor(id=1, username="benchmark", role=Role.COORDINATOR)
    last_year = END - timedelta(days=364)
    filter_sets = {
        "all": MonitoringFilters(),
        "year": MonitoringFilters(start=last_year, end=END),
        "year+site+substance": MonitoringFilters(
            start=last_year, end=END, site="Drop-in Gare", substance="cocaine"
        ),
    }
    dashboard: dict[str, Callable[..., Any]] = {
        "samples_per_week": queries.samples_per_week,
        "found_by_sold_as": queries.found_by_sold_as,
        "adulterant_prevalence": queries.adulterant_prevalence,
        "mismatch_rate": queries.mismatch_rate,
        "by_site": queries.by_site,
    }
    timings: dict[str, tuple[float, float]] = {}
    with transaction(engine) as session:
        timings["filter_options"] = _timed(lambda: queries.filter_options(session, actor))
        for name, query in dashboard.items():
            for label, filters in filter_sets.items():
                timings[f"{name}[{label}]"] = _timed(
                    lambda query=query, filters=filters: query(session, actor, filters)
                )
    return timings


def time_alert_check(engine: Engine) -> tuple[float, int]:
    """Seconds for one full scheduled alert check, and how many alerts it raised."""
    started = time.perf_counter()
    with transaction(engine) as session:
        raised = len(evaluate_all(session, datetime.combine(END, clock(23), UTC)))
    return time.perf_counter() - started, raised


@contextmanager
def database(url: str | None) -> Iterator[Engine]:
    """A fresh, migrated database: a temporary SQLite file, or a new PostgreSQL schema."""
    if url is None:
        with tempfile.TemporaryDirectory() as directory:
            engine = make_engine(f"sqlite:///{Path(directory) / 'dashboard.sqlite3'}")
            upgrade(engine)
            yield engine
            engine.dispose()
        return
    schema = f"labsys_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    engine = make_engine(f"{url}{separator}options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--url", help="a PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with database(args.url) as engine:
        fill_s = fill(engine, args.samples, args.seed)
        print(f"filled {args.samples} samples in {fill_s:.1f} s")
        timings = time_queries(engine)
        for name, (wall_ms, cpu_ms) in timings.items():
            print(f"{name:>45}: {wall_ms:7.1f} ms ({cpu_ms:6.1f} ms CPU in this process)")
        alert_s, raised = time_alert_check(engine)
        print(f"alert check raised {raised} alerts")
        backend = engine.dialect.name
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    wall = [wall_ms for wall_ms, _ in timings.values()]
    print(
        f"backend={backend} samples={args.samples} worst_query_ms={max(wall):.1f} "
        f"median_query_ms={statistics.median(wall):.1f} alert_check_s={alert_s:.2f}"
    )


if __name__ == "__main__":
    main()
