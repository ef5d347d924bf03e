"""Build :class:`PlateAnalysis` objects from spot lists, without any image.

Identification works on analyses, not pixels; tests and the identification benchmark describe a
plate as lanes of spots and get the analysis a perfect reader would produce. The plate geometry
is nominal (a 100 × 100 pixel plate, origin at y = 90, front at y = 10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from labsys.tlc.results import Appearance, Lane, PlateAnalysis, PlateLine, Spot

_ORIGIN_Y = 90.0
_FRONT_Y = 10.0
_LANE_PITCH = 10.0


@dataclass(frozen=True)
class SpotSpec:
    """A spot to place: where it ran, how it shows, how strong it is."""

    hrf: float
    appearance: Appearance = "dark"
    colour: tuple[int, int, int] = (60, 60, 60)
    intensity: float = 1.0


def plate_from_spots(
    lanes: Sequence[Sequence[SpotSpec]],
    background: Literal["uv254", "uv366", "stain", "daylight", "unknown"] = "unknown",
) -> PlateAnalysis:
    """An analysis with one lane per entry of ``lanes`` (lane 0 leftmost)."""
    travel = _ORIGIN_Y - _FRONT_Y
    return PlateAnalysis(
        corners=np.array([[0, 0], [100, 0], [100, 100], [0, 100]], dtype=float),
        rectified=np.zeros((1, 1, 3)),
        origin=PlateLine(_ORIGIN_Y, "line"),
        front=PlateLine(_FRONT_Y, "line"),
        lanes=[
            Lane(
                index=index,
                centre_x=(index + 1) * _LANE_PITCH,
                spots=[
                    Spot(
                        rf=spec.hrf / 100.0,
                        x=(index + 1) * _LANE_PITCH,
                        y=_ORIGIN_Y - travel * spec.hrf / 100.0,
                        width=4.0,
                        height=4.0,
                        area=12.6,
                        integrated_intensity=spec.intensity,
                        colour=spec.colour,
                        appearance=spec.appearance,
                    )
                    for spec in spots
                ],
            )
            for index, spots in enumerate(lanes)
        ],
        background=background,
        algorithm_version="simulated",
    )
