"""The alert table, and the indexes monitoring needs on the sample and result tables.

An alert is raised by a rule from the evidence of confirmed results. ``evidence_key`` is a stable
digest of the rule and the evidence that raised it, unique in the table, so evaluating the same
results twice (at review and again on the scheduled run) never raises the same alert twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from labsys.db import Base, UTCDateTime, utcnow
from labsys.results.models import ResultFinding, SampleResult
from labsys.samples.models import Sample


class AlertState(StrEnum):
    """Where an alert is in its lifecycle: new → acknowledged → published or dismissed."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    PUBLISHED = "published"
    DISMISSED = "dismissed"


class Alert(Base):
    """A warning raised by an alert rule, with the evidence behind it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_key: Mapped[str] = mapped_column(String(64), unique=True)
    rule: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    substance: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default=AlertState.NEW.value, index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's documented form)


# Covering indexes for the dashboard: every query joins these three tables over all confirmed
# results, and reading the columns from the index alone (not the table rows) is what keeps a
# query over 100,000 samples within 200 ms on SQLite (see benchmarks/dashboard.py).
SAMPLES_FOR_MONITORING = Index(
    "ix_samples_monitoring",
    Sample.monitoring_consent,
    Sample.received_on,
    Sample.site,
    Sample.sold_as,
)
RESULTS_FOR_MONITORING = Index(
    "ix_sample_results_monitoring",
    SampleResult.sample_id,
    SampleResult.status,
    SampleResult.category,
)
FINDINGS_FOR_MONITORING = Index(
    "ix_result_findings_monitoring",
    ResultFinding.result_id,
    ResultFinding.substance,
    ResultFinding.kind,
)
