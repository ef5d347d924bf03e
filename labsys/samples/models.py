"""The sample table. A sample is known only by its code: no name, no contact, no birth date."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from labsys.db import Base, UTCDateTime, utcnow
from labsys.samples.workflow import State


class Form(StrEnum):
    """The physical form a sample arrives in."""

    POWDER = "powder"
    CRYSTAL = "crystal"
    TABLET = "tablet"
    CAPSULE = "capsule"
    LIQUID = "liquid"
    BLOTTER = "blotter"
    OTHER = "other"


class Sample(Base):
    """An anonymous sample and where it is in the workflow.

    ``version`` is SQLAlchemy's version counter: an UPDATE that finds another version than the one
    it read changes nothing and is reported as a concurrent edit.
    """

    __tablename__ = "samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(11), unique=True)
    sold_as: Mapped[str] = mapped_column(String(80), index=True)
    form: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str | None] = mapped_column(String(40), nullable=True)
    logo: Mapped[str | None] = mapped_column(String(80), nullable=True)
    shape: Mapped[str | None] = mapped_column(String(40), nullable=True)
    site: Mapped[str] = mapped_column(String(80), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    monitoring_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    lab_notes: Mapped[str | None] = mapped_column(String(500), nullable=True)
    state: Mapped[str] = mapped_column(String(30), default=State.RECEIVED.value, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's documented form)
