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
        kept = _longest_consistent_chain(sorted(anchors, key=lambda a: a.listed_hrf))
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
        return _clamp(_interpolate(measured_hrf, self._measured, self._listed))

    def on_plate(self, listed_hrf: float) -> float:
        """Where a substance listed at ``listed_hrf`` is expected to run on this plate."""
        return _clamp(_interpolate(listed_hrf, self._listed, self._measured))

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


def _clamp(hrf: float) -> float:
    """hRf lives between the origin (0) and the front (100), whatever the shift says."""
    return min(max(hrf, 0.0), 100.0)


def _longest_consistent_chain(ordered: Sequence[Anchor]) -> list[Anchor]:
    """The largest set of anchors rising in both listed and measured hRf.

    One misread reference must not take the good ones with it, so this is the longest strictly
    increasing subsequence (anchors are few: the quadratic search is plenty), not a greedy pass.
    """
    best: list[list[Anchor]] = []
    for i, anchor in enumerate(ordered):
        chains = [
            best[j]
            for j in range(i)
            if ordered[j].listed_hrf < anchor.listed_hrf
            and ordered[j].measured_hrf < anchor.measured_hrf
        ]
        best.append([*max(chains, key=len, default=[]), anchor])
    return max(best, key=len, default=[])
