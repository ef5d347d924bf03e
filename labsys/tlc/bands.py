"""Match the spots of one plate across its visualisation photos.

A plate is photographed under UV 254, UV 366 and after each stain. The same substance sits at
the same place in every photo, so spots are matched by lane and Rf: a *band* is one position in a
lane with what each photo showed there (a dark spot, a bright spot, or nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from labsys.tlc.results import PlateAnalysis, Spot

SAME_BAND_HRF = 3.0
"""Spots closer than this (hRf) in two photos of the same plate are taken as the same band.

Photos of one plate differ only by detection (spot centre, front and origin lines found again in
each photo); a few hRf covers that without merging neighbours the system resolves (5 hRf)."""

Response = Literal["dark", "bright", "none"]


@dataclass(frozen=True)
class Band:
    """One position in one lane, with the spot each visualisation showed there."""

    lane_index: int
    hrf: float
    spots: Mapping[str, Spot]
    photographed: tuple[str, ...]

    def response(self, visualisation: str) -> Response | None:
        """``dark``/``bright`` when a spot was seen, ``none`` when not, None if not photographed."""
        if visualisation not in self.photographed:
            return None
        spot = self.spots.get(visualisation)
        return "none" if spot is None else spot.appearance

    @property
    def intensity(self) -> float:
        """Integrated intensity in the first photo that shows the band (for semi-quantitation)."""
        for visualisation in self.photographed:
            if visualisation in self.spots:
                return self.spots[visualisation].integrated_intensity
        return 0.0


def lane_bands(
    analyses: Mapping[str, PlateAnalysis], lane_index: int, tolerance: float = SAME_BAND_HRF
) -> list[Band]:
    """Bands of one lane, from the lowest to the highest hRf.

    Parameters
    ----------
    analyses
        One analysis per visualisation photographed, keyed by visualisation name.
    lane_index
        Lane to read; a photo in which the lane was not found contributes nothing.
    tolerance
        Largest hRf difference between photos for two spots to be the same band.

    Notes
    -----
    Spots are taken in order of hRf and each joins the band being built when it is within
    ``tolerance`` of the band's mean and that photo has no spot in the band yet.
    """
    photographed = tuple(analyses)
    observed = sorted(
        (
            (spot.hrf, visualisation, spot)
            for visualisation, analysis in analyses.items()
            for lane in analysis.lanes
            if lane.index == lane_index
            for spot in lane.spots
        ),
        key=lambda item: item[0],
    )
    groups: list[dict[str, Spot]] = []
    for hrf, visualisation, spot in observed:
        current = groups[-1] if groups else None
        if (
            current is not None
            and visualisation not in current
            and abs(hrf - _mean_hrf(current)) <= tolerance
        ):
            current[visualisation] = spot
        else:
            groups.append({visualisation: spot})
    return [Band(lane_index, _mean_hrf(group), dict(group), photographed) for group in groups]


def _mean_hrf(spots: Mapping[str, Spot]) -> float:
    return sum(spot.hrf for spot in spots.values()) / len(spots)
