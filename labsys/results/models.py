"""Sample results as stored: one result per sample, with one row per substance found.

Findings are rows (not a JSON blob) so monitoring can count adulterants across 100,000 samples
with plain indexed queries.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labsys.db import Base, UTCDateTime, utcnow


class ResultStatus(StrEnum):
    """Where a result is in the four-eyes review."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


class FindingKind(StrEnum):
    """How a substance found relates to what the sample was sold as."""

    EXPECTED = "expected"
    ADULTERANT = "adulterant"
    OTHER = "other"


class Confidence(StrEnum):
    """How sure the lab is of one finding."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SampleResult(Base):
    """The result of one sample: proposed by an analyst, confirmed or corrected by a reviewer."""

    __tablename__ = "sample_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id"), unique=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    purity_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=ResultStatus.PROPOSED.value)
    summary: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    findings: Mapped[list[ResultFinding]] = relationship(
        back_populates="result", cascade="all, delete-orphan", order_by="ResultFinding.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's documented form)


class ResultFinding(Base):
    """One substance found in a sample."""

    __tablename__ = "result_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("sample_results.id", ondelete="CASCADE"))
    substance: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[str] = mapped_column(String(10))
    amount_mg: Mapped[float | None] = mapped_column(Float, nullable=True)
    hrf: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Where the spot ran on the plate (hRf), so the reviewer can check it against the evidence."""
    evidence: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    """Why the spot was attributed to the substance, in plain words (from the identification)."""

    result: Mapped[SampleResult] = relationship(back_populates="findings")
