"""Typed results of plate analysis: what was found on a plate, in the lab's own words.

Coordinates are in pixels of the *rectified* plate image (x to the right, y downwards, the origin
near the bottom and the solvent front near the top), unless a field says "photo".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Appearance = Literal["dark", "bright"]


@dataclass(frozen=True)
class Spot:
    """One spot in a lane.

    Attributes
    ----------
    rf
        Retardation factor: distance origin→spot centre ÷ distance origin→front.
    x, y
        Centre in the rectified plate image.
    width, height
        Extent (pixels) across and along the direction of development.
    area
        Area in pixels.
    integrated_intensity
        Sum of contrast against the local layer over the spot (for semi-quantitation).
    colour
        Mean sRGB colour of the spot, 0-255.
    appearance
        ``"dark"`` when darker than the layer (quenching, stain), ``"bright"`` when fluorescing.
    tailing
        True when the spot is drawn out along the direction of development.
    """

    rf: float
    x: float
    y: float
    width: float
    height: float
    area: float
    integrated_intensity: float
    colour: tuple[int, int, int]
    appearance: Appearance
    tailing: bool = False

    @property
    def hrf(self) -> float:
        """Rf × 100, as the standardised systems tabulate it."""
        return self.rf * 100.0


@dataclass
class Lane:
    """One lane, left to right as the upright photo shows it (``index`` 0 is leftmost)."""

    index: int
    centre_x: float
    spots: list[Spot]
    origin_residue: bool = False
    profile: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Densitogram: contrast against the layer from the origin (first) to the front (last)."""


@dataclass(frozen=True)
class PlateLine:
    """The origin or the solvent front: a horizontal line in the rectified image."""

    y: float
    source: Literal["line", "ticks", "hint", "edge"]
    slope: float = 0.0
    """Tilt of the pencil line, dy/dx (hand-drawn lines are rarely parallel to the plate's edge)."""
    x_centre: float = 0.0
    """The x at which the line's height is ``y`` (the plate's middle)."""

    def y_at(self, x: float | np.ndarray) -> float | np.ndarray:
        """Height of the line at column ``x``."""
        return self.y + self.slope * (np.asarray(x, dtype=float) - self.x_centre)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "y": round(self.y, 2),
            "source": self.source,
            "slope": round(self.slope, 5),
            "x_centre": round(self.x_centre, 2),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlateLine:
        """Rebuild a stored line (records from before tilt was stored read as level)."""
        return cls(
            y=data["y"],
            source=data["source"],
            slope=data.get("slope", 0.0),
            x_centre=data.get("x_centre", 0.0),
        )


@dataclass
class PlateAnalysis:
    """Everything found on one photo of one plate, with what is needed to draw an overlay."""

    corners: np.ndarray
    """Plate corners in the photo, (4, 2) as (x, y): TL, TR, BR, BL."""
    rectified: np.ndarray
    """The plate cut out of the photo, upright and rectangular (H, W, 3), float in [0, 1]."""
    origin: PlateLine
    front: PlateLine
    lanes: list[Lane]
    warnings: list[str] = field(default_factory=list)
    background: Literal["uv254", "uv366", "stain", "daylight", "unknown"] = "unknown"
    algorithm_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (no image arrays)."""
        return {
            "algorithm_version": self.algorithm_version,
            "background": self.background,
            "corners": np.asarray(self.corners).round(1).tolist(),
            "origin": self.origin.to_dict(),
            "front": self.front.to_dict(),
            "warnings": list(self.warnings),
            "lanes": [
                {
                    "index": lane.index,
                    "centre_x": round(lane.centre_x, 2),
                    "origin_residue": lane.origin_residue,
                    "spots": [
                        {
                            "rf": round(spot.rf, 4),
                            "hrf": round(spot.hrf, 1),
                            "x": round(spot.x, 2),
                            "y": round(spot.y, 2),
                            "width": round(spot.width, 2),
                            "height": round(spot.height, 2),
                            "area": round(spot.area, 1),
                            "integrated_intensity": round(spot.integrated_intensity, 3),
                            "colour": list(spot.colour),
                            "appearance": spot.appearance,
                            "tailing": spot.tailing,
                        }
                        for spot in lane.spots
                    ],
                    "profile": np.asarray(lane.profile).round(4).tolist(),
                }
                for lane in self.lanes
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlateAnalysis:
        """Rebuild a stored analysis (:meth:`to_dict`), e.g. to identify a plate again.

        The rectified image is not stored (the photo is), so it comes back empty; values come
        back as rounded by :meth:`to_dict` (Rf to 4 decimals).
        """
        return cls(
            corners=np.asarray(data["corners"], dtype=float),
            rectified=np.zeros((0, 0, 3)),
            origin=PlateLine.from_dict(data["origin"]),
            front=PlateLine.from_dict(data["front"]),
            lanes=[
                Lane(
                    index=lane["index"],
                    centre_x=lane["centre_x"],
                    origin_residue=lane["origin_residue"],
                    profile=np.asarray(lane["profile"], dtype=float),
                    spots=[
                        Spot(
                            **{k: v for k, v in spot.items() if k not in ("hrf", "colour")},
                            colour=tuple(spot["colour"]),
                        )
                        for spot in lane["spots"]
                    ],
                )
                for lane in data["lanes"]
            ],
            warnings=list(data["warnings"]),
            background=data["background"],
            algorithm_version=data["algorithm_version"],
        )
