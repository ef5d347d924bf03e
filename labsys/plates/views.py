"""What the plate pages show and how their inputs become a layout: plain functions, no Streamlit.

Pages gather input and display these values; everything here is tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from labsys.errors import ValidationError
from labsys.plates.identification import PlateFindings
from labsys.plates.models import Plate, PlatePhoto
from labsys.samples.models import Sample
from labsys.tlc.layout import PlateLayout, parse_layout
from labsys.tlc.references import ReferenceLibrary
from labsys.tlc.results import PlateAnalysis

VISUALISATIONS = ("uv254", "uv366", "iodoplatinate", "dragendorff", "marquis", "ninhydrin")
"""Visualisations offered first (the domain brief's usual order); others can be typed."""

_SAMPLE = "sample "
_REFERENCE = "reference "


@dataclass(frozen=True)
class LaneChoice:
    """One lane as picked on the layout page: an option label and an amount (µg, 0 = none)."""

    option: str
    amount_ug: float = 0.0


def lane_options(samples: list[Sample], library: ReferenceLibrary) -> list[str]:
    """Pick-list labels: waiting samples by code, then every library substance as a reference."""
    return [f"{_SAMPLE}{s.code} ({s.sold_as})" for s in samples] + [
        f"{_REFERENCE}{name}" for name in sorted(library.substances, key=str.lower)
    ]


def layout_from_form(
    *,
    label: str,
    system: str,
    plate_type: str,
    lot: str,
    development_distance_mm: float,
    developed_on: date,
    visualisations: list[str],
    lanes: list[LaneChoice],
    library: ReferenceLibrary,
) -> PlateLayout:
    """Turn the layout page's inputs into a validated layout (the layout module's own rules).

    Lanes are numbered left to right in the order given.

    Raises
    ------
    ValidationError
        Naming the field, e.g. ``lanes.1.reference.amount_ug: ...``.
    """
    return parse_layout(
        {
            "plate_id": label.strip() or f"{developed_on.isoformat()} {system}",
            "system": system,
            "plate_type": plate_type.strip() or "silica gel 60 F254",
            "lot": lot.strip() or None,
            "development_distance_mm": development_distance_mm,
            "date": developed_on,
            "visualisations": visualisations,
            "lanes": [_lane(index, choice) for index, choice in enumerate(lanes)],
        },
        library,
    )


def _lane(index: int, choice: LaneChoice) -> dict[str, Any]:
    amount = choice.amount_ug or None
    if choice.option.startswith(_REFERENCE):
        substance = choice.option.removeprefix(_REFERENCE)
        return {"index": index, "reference": {"substance": substance, "amount_ug": amount}}
    code = choice.option.removeprefix(_SAMPLE).split(" ", 1)[0]
    return {"index": index, "sample_code": code, "spotted_amount_ug": amount}


def plate_title(plate: Plate) -> str:
    """How a plate is named in pick lists."""
    return f"#{plate.id} {plate.label} ({plate.system}, {plate.developed_on.isoformat()})"


def lane_rows(plate: Plate) -> list[dict[str, Any]]:
    """The plate's lanes as table rows."""
    return [
        {
            "lane": lane.index + 1,
            "content": lane_content(plate, lane.index),
            "state": lane.sample.state.replace("_", " ") if lane.sample else "",
            "amount (µg)": lane.amount_ug,
        }
        for lane in plate.lanes
    ]


def lane_content(plate: Plate, index: int) -> str:
    """What lane ``index`` holds, in words ("sample 7K3M-…", "codeine (reference)")."""
    for lane in plate.lanes:
        if lane.index == index:
            if lane.sample is not None:
                return f"sample {lane.sample.code}"
            return f"{lane.reference_substance} (reference)"
    return "(empty)"


def current_photo(plate: Plate, visualisation: str) -> PlatePhoto | None:
    """The photo in use for ``visualisation``, if one was taken."""
    return next(
        (p for p in plate.photos if p.is_current and p.visualisation == visualisation), None
    )


def rf_rows(analysis: PlateAnalysis, plate: Plate) -> list[dict[str, Any]]:
    """One row per spot: lane, what was spotted there, Rf, hRf, appearance."""
    rows = []
    for lane in analysis.lanes:
        for number, spot in enumerate(lane.spots, start=1):
            rows.append(
                {
                    "lane": lane.index + 1,
                    "content": lane_content(plate, lane.index),
                    "spot": number,
                    "Rf": round(spot.rf, 3),
                    "hRf": round(spot.hrf, 1),
                    "appearance": spot.appearance,
                    "tailing": "yes" if spot.tailing else "",
                }
            )
    return rows


def candidate_rows(findings: PlateFindings, sample_code: str) -> list[dict[str, Any]]:
    """Ranked candidates for every spot of one sample lane, with scores and evidence."""
    lane = findings.identification.lane(sample_code)
    if lane is None:
        return []
    rows = []
    for spot in lane.spots:
        corrected = "" if spot.hrf_corrected is None else round(spot.hrf_corrected, 1)
        for rank, candidate in enumerate(spot.candidates, start=1):
            rows.append(
                {
                    "spot hRf": round(spot.hrf, 1),
                    "RfC ×100": corrected,
                    "verdict": spot.verdict.value.replace("_", " "),
                    "rank": rank,
                    "candidate": candidate.substance,
                    "alarming": "⚠ yes" if candidate.alarming else "",
                    "score": round(candidate.score, 2),
                    "evidence": "; ".join(candidate.evidence),
                }
            )
        if not spot.candidates:
            rows.append(
                {
                    "spot hRf": round(spot.hrf, 1),
                    "RfC ×100": corrected,
                    "verdict": spot.verdict.value,
                    "rank": None,
                    "candidate": "(nothing in the library fits)",
                    "alarming": "",
                    "score": None,
                    "evidence": "",
                }
            )
    return rows


def parse_lane_centres(text: str) -> tuple[float, ...] | None:
    """Lane centres typed as "120, 240, 360" (pixels from the left); empty means "find them".

    Raises
    ------
    ValidationError
        Something other than positive numbers.
    """
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not parts:
        return None
    try:
        centres = tuple(float(part) for part in parts)
    except ValueError:
        raise ValidationError(
            "Lane centres: type numbers separated by commas, e.g. 120, 240, 360."
        ) from None
    if any(centre < 0 for centre in centres):
        raise ValidationError("Lane centres: pixels from the left edge are never negative.")
    return tuple(sorted(centres))
