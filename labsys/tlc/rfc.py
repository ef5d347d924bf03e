"""Corrected Rf (RfC): put a plate's measured hRf on the scale of the library's listed values.

Rf drifts from plate to plate (layer activity, tank saturation, temperature, front distance). The
standardised toxicology systems therefore spot reference compounds with listed values on every
plate and interpolate linearly between the two that bracket a spot (the corrected Rf, RfC, of
Clarke's systems; Stead et al., Analyst 1982, 107, 1106): if the references listed at 33 and 56
ran at 30 and 52 on this plate, a spot at 41 is corrected to
``33 + (41 - 30) × (56 - 33) / (52 - 30) = 44.5``. labsys uses every co-spotted reference
standard that has an expected hRf in the plate's system, not only the four listed compounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PLAUSIBLE_STRETCH = (0.5, 2.0)
"""Between two references a plate stretches or shrinks the listed scale only modestly; a segment
outside this range means a reference is in another lane than the layout says, or was misread
(assumed bounds, wide enough for any plate that developed properly)."""


@dataclass(frozen=True)
class Anchor:
    """A reference standard on the plate: where it ran and where the library lists it."""

    substance: str
    measured_hrf: float
    listed_hrf: float


@dataclass(frozen=True)
class RfCorrection:
    """Piecewise-linear map between this plate's hRf and the listed scale.

    Notes
    -----
    Between anchors the map is the classic bracketing interpolation. Outside the outermost
    anchors the plate is taken to be shifted like the nearest anchor but not stretched: extending
    a segment fitted between two close anchors would multiply their scatter far from them.
    :meth:`beyond` says how far outside the anchors a value lies, so callers can widen their
    tolerance there.
    """

    anchors: tuple[Anchor, ...]

    @classmethod
    def from_anchors(cls, anchors: Sequence[Anchor]) -> RfCorrection | None:
        """A correction from two or more anchors with distinct positions, else None.

        Anchors that contradict the order of the listed values (a reference that overtook
        another) are dropped, keeping the larger consistent set; one anchor cannot fix both the
        shift and the stretch of a plate, so fewer than two gives None.
        """
        ordered = sorted(anchors, key=lambda a: a.listed_hrf)
        kept: list[Anchor] = []
        for anchor in ordered:
            if kept and (
                anchor.measured_hrf <= kept[-1].measured_hrf
                or anchor.listed_hrf <= kept[-1].listed_hrf
            ):
                continue
            kept.append(anchor)
        return cls(tuple(kept)) if len(kept) >= 2 else None

    @property
    def implausible(self) -> list[tuple[Anchor, Anchor]]:
        """Neighbouring anchors spaced implausibly on the plate (see PLAUSIBLE_STRETCH)."""
        low, high = PLAUSIBLE_STRETCH
        return [
            (a, b)
            for a, b in zip(self.anchors, self.anchors[1:], strict=False)
            if not low <= (b.measured_hrf - a.measured_hrf) / (b.listed_hrf - a.listed_hrf) <= high
        ]

    def corrected(self, measured_hrf: float) -> float:
        """The listed-scale hRf (RfC) of a spot that ran at ``measured_hrf`` on this plate."""
        return _interpolate(measured_hrf, self._measured, self._listed)

    def on_plate(self, listed_hrf: float) -> float:
        """Where a substance listed at ``listed_hrf`` is expected to run on this plate."""
        return _interpolate(listed_hrf, self._listed, self._measured)

    def beyond(self, listed_hrf: float) -> float:
        """How far (hRf) ``listed_hrf`` lies outside the anchors' listed range; 0 inside it."""
        listed = self._listed
        return float(max(listed[0] - listed_hrf, listed_hrf - listed[-1], 0.0))

    @property
    def _measured(self) -> np.ndarray:
        return np.array([a.measured_hrf for a in self.anchors])

    @property
    def _listed(self) -> np.ndarray:
        return np.array([a.listed_hrf for a in self.anchors])


def _interpolate(value: float, xs: np.ndarray, ys: np.ndarray) -> float:
    """Linear interpolation through (xs, ys); beyond the ends, the end anchor's shift."""
    if value < xs[0]:
        return float(value + ys[0] - xs[0])
    if value > xs[-1]:
        return float(value + ys[-1] - xs[-1])
    return float(np.interp(value, xs, ys))
