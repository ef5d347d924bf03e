"""Corrected Rf (RfC): put a plate's measured hRf on the scale of the library's listed values.

Rf drifts from plate to plate (layer activity, tank saturation, temperature, front distance). The
standardised toxicology systems therefore spot reference compounds with listed values on every
plate and interpolate linearly between the two that bracket a spot: if the references listed at
33 and 56 ran at 30 and 52 on this plate, a spot at 41 is corrected to
``33 + (41 - 30) × (56 - 33) / (52 - 30) = 44.5`` (Moffat's RfC; Stead et al., Analyst 1982, 107,
1106). labsys uses every co-spotted reference standard that has an expected hRf in the plate's
system, not only the four listed compounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


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
    anchors the nearest segment is extended, which is less certain: :meth:`brackets` tells
    whether a value lies between two anchors.
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

    def corrected(self, measured_hrf: float) -> float:
        """The listed-scale hRf (RfC) of a spot that ran at ``measured_hrf`` on this plate."""
        return _interpolate(measured_hrf, self._measured, self._listed)

    def on_plate(self, listed_hrf: float) -> float:
        """Where a substance listed at ``listed_hrf`` is expected to run on this plate."""
        return _interpolate(listed_hrf, self._listed, self._measured)

    def brackets(self, measured_hrf: float) -> bool:
        """True when ``measured_hrf`` lies between the lowest and highest anchor."""
        return self._measured[0] <= measured_hrf <= self._measured[-1]

    @property
    def _measured(self) -> np.ndarray:
        return np.array([a.measured_hrf for a in self.anchors])

    @property
    def _listed(self) -> np.ndarray:
        return np.array([a.listed_hrf for a in self.anchors])


def _interpolate(value: float, xs: np.ndarray, ys: np.ndarray) -> float:
    """Linear interpolation through (xs, ys), extending the end segments beyond the ends."""
    if value < xs[0]:
        i, j = 0, 1
    elif value > xs[-1]:
        i, j = len(xs) - 2, len(xs) - 1
    else:
        return float(np.interp(value, xs, ys))
    slope = (ys[j] - ys[i]) / (xs[j] - xs[i])
    return float(ys[i] + (value - xs[i]) * slope)
