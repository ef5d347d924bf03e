"""Identifying a plate from its accepted analyses, and drafting each sample's result."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from labsys.auth import Actor, Permission, require
from labsys.errors import ValidationError
from labsys.plates.service import get_plate, plate_layout
from labsys.tlc.draft import ResultDraft, draft_result
from labsys.tlc.identify import PlateIdentification, identify
from labsys.tlc.references import ReferenceLibrary
from labsys.tlc.results import PlateAnalysis


@dataclass(frozen=True)
class PlateFindings:
    """What a plate shows: the identification and a result draft per sample lane (by code)."""

    identification: PlateIdentification
    drafts: dict[str, ResultDraft]


def identify_plate(
    session: Session, actor: Actor, plate_id: int, library: ReferenceLibrary
) -> PlateFindings:
    """Identify every sample spot from the latest accepted analysis of each current photo.

    Raises
    ------
    ValidationError
        No photo of the plate has an accepted analysis yet.
    """
    require(actor, Permission.LAB_WORK)
    plate = get_plate(session, actor, plate_id)
    analyses = {
        photo.visualisation: PlateAnalysis.from_dict(photo.analyses[-1].result)
        for photo in plate.photos
        if photo.is_current and photo.analyses
    }
    if not analyses:
        raise ValidationError(
            f"Plate {plate.label} has no accepted photo analysis yet: photograph it and accept "
            "an analysis first."
        )
    identification = identify(analyses, plate_layout(plate), library)
    drafts = {
        sample.code: draft_result(identification, sample.code, sample.sold_as, library)
        for sample in (lane.sample for lane in plate.lanes)
        if sample is not None
    }
    return PlateFindings(identification, drafts)
