"""Is labsys trustworthy on a busy night? Many processes register, move and photograph at once.

Run as ``.venv/bin/python benchmarks/load.py [--url URL] [--workers N] [--seconds S]``.

``--workers`` separate processes (multiprocessing, spawn: nothing shared but the database and the
photo folder) act for ``--seconds`` like volunteers at intake and at the bench:

* **register** a sample (a quarter of the actions);
* **move** a sample one step along the workflow, the way a page does it: read the sample, then
  move it naming the version that was seen. Half of the moves pick one of the eight most recent
  unfinished samples of *any* worker, so people deliberately act on the same samples and the
  optimistic lock has to refuse the second of two moves (``ConcurrentEdit``, expected);
* **photo**: check and store a small PNG through :class:`labsys.storage.photos.PhotoStore` (a
  third of them the same few images, so workers write the same photo at the same moment).

Afterwards the database and the photo folder are checked against what the workers were told:

* ``lost_updates``: samples whose successful moves do not form one unbroken chain of versions
  1..n ending in the stored state and version (an overwrite, or a move reported but not kept),
  plus stored photos missing or damaged;
* ``duplicate_codes``: codes stored twice or handed out twice;
* ``missing_audit``: successful actions without their audit event;
* ``user_errors``: any exception a person would have seen other than the expected
  ``ConcurrentEdit``/``InvalidTransition`` (e.g. "database is locked").

The default database is a new SQLite file; with ``--url postgresql+psycopg://...`` a private
schema is created and dropped afterwards. The last line is
``backend= workers= ops= ops_per_s= worst_latency_ms= lost_updates= duplicate_codes=
missing_audit= user_errors=``, where ``ops`` counts successful actions.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import multiprocessing
import queue
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labsys.audit import AuditEvent
from labsys.auth import Actor, Role, create_user
from labsys.db import (
    make_engine,
    private_postgres_schema,
    run_in_transaction,
    transaction,
    upgrade,
)
from labsys.errors import ConcurrentEdit, InvalidTransition
from labsys.samples import Intake, Sample, State, get_sample, move_sample, register
from labsys.storage.photos import PhotoStore, check_photo

FORWARD = {
    State.RECEIVED: State.QUEUED,
    State.QUEUED: State.ON_PLATE,
    State.ON_PLATE: State.IMAGED,
    State.IMAGED: State.ANALYSED,
    State.ANALYSED: State.REVIEWED,
    State.REVIEWED: State.REPORTED,
    State.REPORTED: State.CLOSED,
}
"""The step a bench worker takes from each unfinished state."""

HOT_SAMPLES = 8
SHARED_PHOTOS = 3
EXPECTED = (ConcurrentEdit, InvalidTransition)
STARTUP_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Success:
    """One action a worker was told succeeded (what the checks hold the database to)."""

    kind: str
    key: str
    from_state: str | None = None
    to_state: str | None = None
    version: int = 0


@dataclass
class WorkerLog:
    """What one worker did and saw."""

    successes: list[Success] = field(default_factory=list)
    refused: int = 0
    user_errors: list[str] = field(default_factory=list)
    worst_latency_s: float = 0.0


@dataclass(frozen=True)
class LoadReport:
    """The verdict of one run."""

    backend: str
    workers: int
    seconds: float
    ops: int
    refused: int
    worst_latency_ms: float
    lost_updates: int
    duplicate_codes: int
    missing_audit: int
    user_errors: list[str]

    def last_line(self) -> str:
        """The key=value line benchmarks end with."""
        return (
            f"backend={self.backend} workers={self.workers} ops={self.ops} "
            f"ops_per_s={self.ops / self.seconds:.1f} "
            f"worst_latency_ms={self.worst_latency_ms:.0f} lost_updates={self.lost_updates} "
            f"duplicate_codes={self.duplicate_codes} missing_audit={self.missing_audit} "
            f"user_errors={len(self.user_errors)}"
        )


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _photo_bytes(rng: random.Random) -> bytes:
    """A small PNG: one of a few shared images (concurrent same-name writes) or a new one."""
    seed = rng.randrange(SHARED_PHOTOS) if rng.random() < 1 / 3 else rng.getrandbits(62)
    pixels = np.random.default_rng(seed).integers(0, 256, (24, 32, 3), dtype=np.uint8)
    return _png(pixels)


class _Bench:
    """One worker's actions against the shared database and photo folder."""

    def __init__(self, url: str, data_dir: Path, actor: Actor, seed: int) -> None:
        self.engine = make_engine(url)
        self.store = PhotoStore(data_dir)
        self.actor = actor
        self.rng = random.Random(seed)
        self.own: list[str] = []

    def act(self) -> Success:
        """Do one random action; return what succeeded or raise what a person would see."""
        roll = self.rng.random()
        if roll < 0.25 or not self.own:
            return self.register()
        if roll < 0.85:
            return self.move()
        return self.photo()

    def register(self) -> Success:
        intake = Intake(sold_as="cocaine", form="powder", site=f"site {self.rng.randrange(5)}")
        code = run_in_transaction(
            self.engine, lambda session: register(session, self.actor, intake).code
        )
        self.own.append(code)
        return Success("register", code, None, State.RECEIVED.value, 1)

    def _pick(self) -> str:
        if self.rng.random() < 0.5:
            hot = run_in_transaction(
                self.engine,
                lambda session: session.scalars(
                    select(Sample.code)
                    .where(Sample.state.in_([s.value for s in FORWARD]))
                    .order_by(Sample.id.desc())
                    .limit(HOT_SAMPLES)
                ).all(),
            )
            if hot:
                return self.rng.choice(hot)
        return self.rng.choice(self.own)

    def _seen(self, session: Session, code: str) -> tuple[State, int]:
        """What the page shows before the click: the sample's state and version."""
        sample = get_sample(session, self.actor, code)
        return State(sample.state), sample.version

    def move(self) -> Success:
        code = self._pick()
        state, seen = run_in_transaction(self.engine, lambda session: self._seen(session, code))
        target = FORWARD.get(state, State.CLOSED)  # a finished sample: refused, as for a person
        if self.rng.random() < 0.03 and state in FORWARD:
            target = State.WITHDRAWN
        version = run_in_transaction(
            self.engine,
            lambda session: (
                move_sample(
                    session, self.actor, code, target, expected_version=seen, reason="load test"
                ).version
            ),
        )
        return Success("move", code, state.value, target.value, version)

    def photo(self) -> Success:
        data = _photo_bytes(self.rng)
        check_photo(data)
        stored = self.store.save(data)
        return Success("photo", stored.path, to_state=stored.sha256)


def _worker(
    url: str,
    data_dir: str,
    actor: Actor,
    seconds: float,
    seed: int,
    go: multiprocessing.synchronize.Event,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    """Wait for the start signal, act for ``seconds``, send back the log."""
    bench = _Bench(url, Path(data_dir), actor, seed)
    log = WorkerLog()
    results.put(("ready", None))
    go.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            log.successes.append(bench.act())
        except EXPECTED:
            log.refused += 1
        except Exception as error:  # anything else would reach a person: that is the finding
            log.user_errors.append(f"{type(error).__name__}: {error}"[:300])
        log.worst_latency_s = max(log.worst_latency_s, time.perf_counter() - started)
    bench.engine.dispose()
    results.put(("done", log))


def _check_samples(session: Session, moves: list[Success]) -> int:
    """Samples whose acknowledged versions are not exactly 1..n ending in the stored state."""
    by_code: dict[str, list[Success]] = {}
    for success in moves:
        by_code.setdefault(success.key, []).append(success)
    stored = {
        code: (state, version)
        for code, state, version in session.execute(
            select(Sample.code, Sample.state, Sample.version)
        )
    }
    broken = 0
    for code, successes in by_code.items():
        chain = sorted(successes, key=lambda s: s.version)
        versions = [s.version for s in chain]
        unbroken = versions == list(range(1, len(chain) + 1))
        kept = stored.get(code) == (chain[-1].to_state, chain[-1].version)
        broken += not (unbroken and kept)
    return broken


def _check_photos(data_dir: Path, photos: list[Success]) -> int:
    """Photos acknowledged as stored that are missing or damaged."""
    bad = 0
    for path, sha256 in {(s.key, s.to_state) for s in photos}:
        file = data_dir / path
        if not file.is_file() or hashlib.sha256(file.read_bytes()).hexdigest() != sha256:
            bad += 1
    return bad


def _missing_audit(session: Session, actions: list[Success]) -> int:
    """Acknowledged registrations and moves without their audit event."""
    expected = Counter(
        (s.key, "registered" if s.kind == "register" else "state_changed", s.from_state, s.to_state)
        for s in actions
    )
    recorded = Counter(
        tuple(row)
        for row in session.execute(
            select(Sample.code, AuditEvent.action, AuditEvent.from_state, AuditEvent.to_state)
            .join(Sample, Sample.id == AuditEvent.entity_id)
            .where(AuditEvent.entity == "sample")
        )
    )
    return sum((expected - recorded).values())


def _duplicate_codes(session: Session, registered: list[str]) -> int:
    """Codes stored twice, plus codes handed out to two registrations."""
    stored_twice = session.scalar(
        select(func.count()).select_from(
            select(Sample.code).group_by(Sample.code).having(func.count() > 1).subquery()
        )
    )
    return (stored_twice or 0) + len(registered) - len(set(registered))


def _make_actors(engine: Engine, workers: int) -> list[Actor]:
    with transaction(engine) as session:
        return [
            create_user(session, f"bench{index}", "bench-password", Role.ADMIN)
            for index in range(workers)
        ]


def _collect(
    results: multiprocessing.Queue,  # type: ignore[type-arg]
    processes: list[multiprocessing.process.BaseProcess],
    deadline: float,
) -> list[Any]:
    """One message from every worker; fail fast if one died instead of waiting out the deadline."""
    messages: list[Any] = []
    while len(messages) < len(processes):
        try:
            messages.append(results.get(timeout=1.0)[1])
        except queue.Empty:
            dead = [p.name for p in processes if p.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(
                    f"worker(s) {dead or 'all'} stopped without reporting; see their output above"
                ) from None
    return messages


def run_load(url: str, data_dir: Path, *, workers: int, seconds: float) -> LoadReport:
    """Migrate ``url``, run the workers against it and check what they were told."""
    engine = make_engine(url)
    upgrade(engine)
    actors = _make_actors(engine, workers)
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=(url, str(data_dir), actor, seconds, 1000 + index, go, results),
            daemon=True,
        )
        for index, actor in enumerate(actors)
    ]
    for process in processes:
        process.start()
    _collect(results, processes, time.monotonic() + STARTUP_TIMEOUT_S)
    go.set()
    logs = _collect(results, processes, time.monotonic() + seconds + STARTUP_TIMEOUT_S)
    for process in processes:
        process.join()
    successes = [s for log in logs for s in log.successes]
    samples = [s for s in successes if s.kind != "photo"]
    with transaction(engine) as session:
        lost = _check_samples(session, samples)
        duplicates = _duplicate_codes(session, [s.key for s in samples if s.kind == "register"])
        missing = _missing_audit(session, samples)
    engine.dispose()
    return LoadReport(
        backend=make_url(url).get_backend_name(),
        workers=workers,
        seconds=seconds,
        ops=len(successes),
        refused=sum(log.refused for log in logs),
        worst_latency_ms=1000 * max((log.worst_latency_s for log in logs), default=0.0),
        lost_updates=lost + _check_photos(data_dir, [s for s in successes if s.kind == "photo"]),
        duplicate_codes=duplicates,
        missing_audit=missing,
        user_errors=[error for log in logs for error in log.user_errors],
    )


@contextmanager
def private_database(url: str | None, directory: Path) -> Iterator[str]:
    """A new SQLite file in ``directory``, or a private schema on the PostgreSQL at ``url``."""
    if url is None or make_url(url).get_backend_name() == "sqlite":
        yield url or f"sqlite:///{directory / 'load.sqlite3'}"
        return
    with private_postgres_schema(url, "labsys_load") as schema_url:
        yield schema_url


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report; exit 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="labsys-load-") as directory,
        private_database(args.url, Path(directory)) as url,
    ):
        report = run_load(url, Path(directory), workers=args.workers, seconds=args.seconds)
    for error, count in Counter(report.user_errors).most_common(10):
        print(f"user error ×{count}: {error}")
    print(f"refused as expected (concurrent edit, finished sample): {report.refused}")
    print(report.last_line())
    failed = report.lost_updates or report.duplicate_codes or report.missing_audit
    return 1 if failed or report.user_errors else 0


if __name__ == "__main__":
    sys.exit(main())
