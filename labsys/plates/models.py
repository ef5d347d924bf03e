"""Plates, their lanes, their photos and the analyses accepted for those photos.

A plate is developed once in one solvent system and photographed once per visualisation. A
re-photograph of the same visualisation adds a new photo row and marks the previous one as no
longer current (a partial unique index keeps one current photo per plate and visualisation), so
analyses accepted for the old photo stay traceable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labsys.db import Base, UTCDateTime, utcnow
from labsys.samples.models import Sample


class Plate(Base):
    """One developed TLC plate.

    ``version`` is SQLAlchemy's version counter: every change to the plate or to what hangs off it
    (photos, accepted analyses) bumps it, so two people working on one plate cannot overwrite
    each other unnoticed.
    """

    __tablename__ = "plates"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(60))
    system: Mapped[str] = mapped_column(String(20), index=True)
    plate_type: Mapped[str] = mapped_column(String(60))
    lot: Mapped[str | None] = mapped_column(String(40), nullable=True)
    development_distance_mm: Mapped[float] = mapped_column(Float)
    developed_on: Mapped[date] = mapped_column(Date, index=True)
    visualisations: Mapped[list[str]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    lanes: Mapped[list[PlateLane]] = relationship(
        back_populates="plate", order_by="PlateLane.index", cascade="all, delete-orphan"
    )
    photos: Mapped[list[PlatePhoto]] = relationship(
        back_populates="plate", order_by="PlatePhoto.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's documented form)


class PlateLane(Base):
    """What was spotted in one lane: a sample or a reference standard, never both.

    ``amount_ug`` is the reference amount for a reference lane and the spotted amount of sample
    material (optional, for a purity estimate) for a sample lane.
    """

    __tablename__ = "plate_lanes"
    __table_args__ = (
        UniqueConstraint("plate_id", "index", name="uq_plate_lanes_plate_id_index"),
        CheckConstraint(
            "(sample_id IS NULL) <> (reference_substance IS NULL)", name="sample_or_reference"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plate_id: Mapped[int] = mapped_column(ForeignKey("plates.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    sample_id: Mapped[int | None] = mapped_column(
        ForeignKey("samples.id"), nullable=True, index=True
    )
    reference_substance: Mapped[str | None] = mapped_column(String(80), nullable=True)
    amount_ug: Mapped[float | None] = mapped_column(Float, nullable=True)

    plate: Mapped[Plate] = relationship(back_populates="lanes")
    sample: Mapped[Sample | None] = relationship()


class PlatePhoto(Base):
    """One photo of a plate under one visualisation, stored by content hash under the data dir."""

    __tablename__ = "plate_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    plate_id: Mapped[int] = mapped_column(ForeignKey("plates.id", ondelete="CASCADE"), index=True)
    visualisation: Mapped[str] = mapped_column(String(40))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(200))
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plate: Mapped[Plate] = relationship(back_populates="photos")
    analyses: Mapped[list[PlateAnalysisRecord]] = relationship(
        back_populates="photo", order_by="PlateAnalysisRecord.id"
    )


class PlateAnalysisRecord(Base):
    """An analysis a person accepted for a photo: what was run, with which hints, what it found."""

    __tablename__ = "plate_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("plate_photos.id"), index=True)
    algorithm_version: Mapped[str] = mapped_column(String(40))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    accepted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    photo: Mapped[PlatePhoto] = relationship(back_populates="analyses")


Index(
    "uq_plate_photos_current",
    PlatePhoto.plate_id,
    PlatePhoto.visualisation,
    unique=True,
    sqlite_where=PlatePhoto.is_current,
    postgresql_where=PlatePhoto.is_current,
)
