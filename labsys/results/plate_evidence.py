"""The plates behind a result, for the reviewer: each accepted photo's Rf table and overlay.

The reviewer checks a proposal against what the plate showed, not only against what the analyst
wrote. The accepted analysis is stored as numbers (the rectified image is not), so the Rf table
comes from the database and the overlay is drawn by analysing the stored photo again with the hints
the analyst accepted (a second or so; the page asks for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labsys.auth import Actor, Permission, require
from labsys.plates.models import PlateLane
from labsys.plates.views import plate_title, rf_rows
from labsys.samples import get_sample
from labsys.storage.photos import PhotoStore
from labsys.tlc import analyse_plate, render_overlay
from labsys.tlc.results import PlateAnalysis


@dataclass(frozen=True)
class PhotoEvidence:
    """One photo of a plate with the analysis a person accepted for it."""

    photo_id: int
    visualisation: str
    path: str
    sha256: str
    parameters: dict[str, Any]
    """What the accepted analysis was run with (lane count and the analyst's corrections)."""
    rf_table: list[dict[str, Any]]


@dataclass(frozen=True)
class PlateEvidence:
    """A plate the sample was run on, and in which lane."""

    title: str
    lane: int
    """1-based, as written on the plate."""
    photos: tuple[PhotoEvidence, ...]


def plate_evidence(session: Session, actor: Actor, code: str) -> list[PlateEvidence]:
    """Every plate sample ``code`` was spotted on, with its current, analysed photos."""
    require(actor, Permission.REVIEW)
    sample = get_sample(session, actor, code)
    lanes = session.scalars(
        select(PlateLane).where(PlateLane.sample_id == sample.id).order_by(PlateLane.plate_id)
    )
    evidence = []
    for lane in lanes:
        plate = lane.plate
        photos = tuple(
            PhotoEvidence(
                photo_id=photo.id,
                visualisation=photo.visualisation,
                path=photo.path,
                sha256=photo.sha256,
                parameters=dict(photo.analyses[-1].parameters),
                rf_table=rf_rows(PlateAnalysis.from_dict(photo.analyses[-1].result), plate),
            )
            for photo in plate.photos
            if photo.is_current and photo.analyses
        )
        evidence.append(PlateEvidence(plate_title(plate), lane.index + 1, photos))
    return evidence


def overlay_png(photo: PhotoEvidence, store: PhotoStore) -> bytes:
    """The accepted analysis drawn over the plate, as PNG bytes."""
    analysis = analyse_plate(store.read(photo.path, photo.sha256), **photo.parameters)
    return render_overlay(analysis, png=True)
