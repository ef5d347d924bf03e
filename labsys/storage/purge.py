"""Data minimisation: forget what is no longer needed once a sample has been finished for a while.

A sample closed, withdrawn or destroyed longer ago than the retention period keeps its anonymised
result (substances, category, purity band: what monitoring counts) but loses its lab notes, and
the photos of its plates are deleted once no sample that is still kept needs them (a plate holds
several samples; one photo file can serve several photo rows). Each purged sample gets an audit
event "purged" saying what went.

The audit trail itself is append-only and is not purged: reasons typed at transitions stay.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from labsys.audit import AuditEvent, record
from labsys.db import run_in_transaction, utcnow
from labsys.errors import ValidationError
from labsys.plates.models import PlateLane, PlatePhoto
from labsys.samples.models import Sample
from labsys.samples.workflow import State

DEFAULT_RETENTION_DAYS = 90
FINISHED = (State.CLOSED.value, State.WITHDRAWN.value, State.DESTROYED.value)
PURGED = "purged"


def retention_days() -> int:
    """The retention period from ``LABSYS_RETENTION_DAYS`` (default 90 days)."""
    raw = os.environ.get("LABSYS_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS))
    try:
        days = int(raw)
    except ValueError:
        raise ValidationError(
            f"LABSYS_RETENTION_DAYS must be a whole number of days, not {raw!r}."
        ) from None
    if days < 1:
        raise ValidationError("LABSYS_RETENTION_DAYS must be at least 1 day.")
    return days


@dataclass
class PurgeReport:
    """What a purge did (or, in a dry run, would do)."""

    samples: list[str] = field(default_factory=list)
    notes_blanked: int = 0
    photos: list[str] = field(default_factory=list)


def _purged_ids(session: Session) -> set[int]:
    return set(
        session.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity == "sample", AuditEvent.action == PURGED
            )
        )
    )


def _expired(session: Session, cutoff: datetime, purged: set[int]) -> list[Sample]:
    """Finished samples whose last move into a finished state is older than ``cutoff``."""
    finished_at = (
        select(AuditEvent.entity_id, func.max(AuditEvent.at).label("at"))
        .where(
            AuditEvent.entity == "sample",
            AuditEvent.action == "state_changed",
            AuditEvent.to_state.in_(FINISHED),
        )
        .group_by(AuditEvent.entity_id)
        .subquery()
    )
    statement = (
        select(Sample)
        .join(finished_at, finished_at.c.entity_id == Sample.id)
        .where(Sample.state.in_(FINISHED), finished_at.c.at < cutoff)
        .order_by(Sample.id)
    )
    return [sample for sample in session.scalars(statement) if sample.id not in purged]


def _photos_to_delete(session: Session, forgotten: set[int]) -> dict[str, set[int]]:
    """Photo files whose every plate holds only forgotten samples, with those samples' ids.

    ``forgotten`` are the samples purged before or now. A plate of reference standards alone
    (no sample) keeps its photos: they are calibration, not anybody's sample.
    """
    rows = session.execute(
        select(PlatePhoto.path, PlateLane.sample_id)
        .join(PlateLane, PlateLane.plate_id == PlatePhoto.plate_id)
        .where(PlateLane.sample_id.is_not(None))
    )
    samples_by_path: dict[str, set[int]] = {}
    for path, sample_id in rows:
        samples_by_path.setdefault(path, set()).add(sample_id)
    return {path: ids for path, ids in samples_by_path.items() if ids <= forgotten}


def purge(
    engine: Engine,
    data_dir: Path,
    *,
    older_than_days: int,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PurgeReport:
    """Blank the notes of samples finished over ``older_than_days`` ago and delete their photos.

    Parameters
    ----------
    engine
        The database.
    data_dir
        The data directory; photo paths recorded in the database are relative to it.
    older_than_days
        Retention: only samples finished longer ago than this are purged.
    dry_run
        Report what would be purged and change nothing.
    now
        The current time (for tests).

    Returns
    -------
    PurgeReport
        Sample codes purged, notes blanked and photo files deleted (or that would be).

    Notes
    -----
    The database is changed first (notes blanked, one "purged" event per sample, in one
    transaction); files are deleted afterwards. Files left by an interrupted run are deleted by
    the next run, which looks again at every photo of every purged sample.
    """
    if older_than_days < 1:
        raise ValidationError("The retention must be at least 1 day.")
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)

    def work(session: Session) -> PurgeReport:
        purged = _purged_ids(session)
        expired = _expired(session, cutoff, purged)
        photos = _photos_to_delete(session, purged | {sample.id for sample in expired})
        report = PurgeReport(
            samples=[sample.code for sample in expired],
            notes_blanked=sum(1 for sample in expired if sample.lab_notes),
            photos=sorted(path for path in photos if (data_dir / path).is_file()),
        )
        if dry_run:
            return report
        for sample in expired:
            details = {
                "lab_notes_blanked": bool(sample.lab_notes),
                "photos_deleted": sorted(p for p, ids in photos.items() if sample.id in ids),
            }
            sample.lab_notes = None
            record(session, None, "sample", sample.id, PURGED, details=details)
        return report

    report = run_in_transaction(engine, work)
    if not dry_run:
        store = (data_dir / "photos").resolve()
        for path in report.photos:
            file = (data_dir / path).resolve()
            if file.is_relative_to(store):  # never follow a path out of the photo store
                file.unlink(missing_ok=True)
    return report
