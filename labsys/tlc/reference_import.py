"""Import the lab's own reference measurements from a photo of a reference plate.

Literature Rf values come from other labs' plates; the lab's own reference standards, run in its
own tanks, are the better comparison. A plate carrying reference standards (and no samples, or
samples that are ignored here) is photographed and analysed; for each reference lane the main
spot's hRf, appearance, colour, intensity and the lane's densitogram are appended to
``measured/<system>/<substance>.yaml`` with the date, plate id and the photo's SHA-256, so every
figure can be traced back to a photo.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import yaml

from labsys.errors import ValidationError
from labsys.tlc.analysis import analyse_plate
from labsys.tlc.layout import PlateLayout
from labsys.tlc.references import (
    FORMAT_VERSION,
    MeasuredFile,
    Measurement,
    ReferenceLibrary,
    file_stem,
)
from labsys.tlc.results import Lane, PlateAnalysis

DENSITOGRAM_POINTS = 101
"""Densitograms are stored at hRf 0, 1, ..., 100 so plates of any size compare point by point."""


def measurements_from_plate(
    analysis: PlateAnalysis, layout: PlateLayout, photo_sha256: str, visualisation: str
) -> dict[str, Measurement]:
    """One measurement per reference lane that shows a spot, keyed by substance name.

    The main spot of a lane is its strongest: a reference standard is nearly pure, and weaker
    spots are impurities or decomposition products.
    """
    lanes = {lane.index: lane for lane in analysis.lanes}
    measured = {}
    for assignment in layout.lanes:
        lane = lanes.get(assignment.index)
        if assignment.reference is None or lane is None or not lane.spots:
            continue
        spot = max(lane.spots, key=lambda s: s.integrated_intensity)
        measured[assignment.reference.substance] = Measurement(
            hrf=round(spot.hrf, 1),
            date=layout.date,
            plate=layout.plate_id,
            photo_sha256=photo_sha256,
            amount_ug=assignment.reference.amount_ug,
            visualisation=visualisation,
            appearance=spot.appearance,
            colour=spot.colour,
            integrated_intensity=round(spot.integrated_intensity, 4),
            densitogram=_densitogram(lane),
        )
    return measured


def write_measurements(
    library: ReferenceLibrary, system: str, measured: dict[str, Measurement]
) -> list[Path]:
    """Append to the library's ``measured/`` files, skipping a photo imported before."""
    if library.path is None:
        raise ValidationError("the reference library has no folder to write to")
    written = []
    for name, measurement in measured.items():
        path = library.path / "measured" / system / f"{file_stem(name)}.yaml"
        previous = library.substances[name].measured.get(system)
        earlier = list(previous.measurements) if previous else []
        if any(m.photo_sha256 == measurement.photo_sha256 for m in earlier):
            continue
        document = MeasuredFile(
            version=FORMAT_VERSION,
            system=system,
            substance=name,
            measurements=[*earlier, measurement],
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(document.model_dump(mode="json"), sort_keys=False, width=100)
        temporary = path.with_suffix(".yaml.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    return written


def import_reference_plate(
    photo: str | Path,
    layout: PlateLayout,
    library: ReferenceLibrary,
    *,
    system: str | None = None,
    visualisation: str | None = None,
) -> list[Path]:
    """Analyse a reference plate photo and record its reference lanes in the library.

    Parameters
    ----------
    photo
        The plate photo.
    layout
        The plate's layout; reference lanes name the substances and amounts.
    library
        The library to write into (its folder's ``measured/``).
    system
        Solvent system code; defaults to the layout's.
    visualisation
        What the photo shows; defaults to the layout's first visualisation.

    Returns
    -------
    list of Path
        The files written.
    """
    layout = layout.check_against(library)
    system = system or layout.system
    if system not in library.systems:
        raise ValidationError(f"system: unknown solvent system {system!r}")
    visualisation = visualisation or layout.visualisations[0]
    if visualisation not in layout.visualisations:
        raise ValidationError(f"visualisation: {visualisation!r} is not in the plate layout")
    if not any(lane.is_reference for lane in layout.lanes):
        raise ValidationError("lanes: the layout has no reference lane to import")
    photo = Path(photo)
    try:
        digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    except OSError as exc:
        raise ValidationError(f"{photo}: cannot be read: {exc.strerror}") from exc
    analysis = analyse_plate(photo, lanes=layout.lane_count)
    measured = measurements_from_plate(analysis, layout, digest, visualisation)
    return write_measurements(library, system, measured)


def _densitogram(lane: Lane) -> list[float]:
    profile = np.asarray(lane.profile, dtype=float)
    if profile.size < 2:
        return []
    positions = np.linspace(0.0, 100.0, profile.size)
    resampled = np.interp(np.arange(DENSITOGRAM_POINTS), positions, profile)
    return [round(float(v), 4) for v in resampled]
