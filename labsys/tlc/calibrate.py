"""Semi-quantitation: how much of a substance is in a sample spot, from references on the plate.

When a reference standard is spotted at two or more known amounts, the spots' integrated
intensities give a calibration line; the sample spot's intensity read on that line estimates the
amount in the sample spot. Over a narrow range TLC densitometry is close to linear and flattens at
high loads, so labsys fits a straight line, reports R², and refuses to read far outside the
spotted range rather than trust a line where it may bend. Phone-photo TLC quantitation has been
shown to work with multivariate calibration (Anal. Methods 2016, cocaine RMSEP 1.60 mg/mL);
this single-wavelength line is the coarse, transparent version of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labsys.errors import ValidationError
from labsys.tlc.identify import PlateIdentification

EXTRAPOLATION_LIMIT = 0.25
"""Readings up to 25 % beyond the lowest and highest amount spotted are accepted, not further."""

DEFAULT_PURITY_BANDS = (0.3, 0.7)
"""Purity below 30 % is "low", from 30 % to 70 % "medium", above "high": a lab default for every
substance class, not a published figure; a service passes its own thresholds where it has them."""


@dataclass(frozen=True)
class Calibration:
    """A straight line ``intensity = slope × amount + intercept`` for one substance on one plate."""

    substance: str
    slope: float
    intercept: float
    r_squared: float
    amounts_ug: tuple[float, ...]

    @property
    def range_ug(self) -> tuple[float, float]:
        """Lowest and highest amount spotted."""
        return min(self.amounts_ug), max(self.amounts_ug)


@dataclass(frozen=True)
class AmountEstimate:
    """The amount read from a calibration, or the reason none was given."""

    substance: str
    amount_ug: float | None
    calibration: Calibration
    note: str

    @property
    def refused(self) -> bool:
        """True when the reading fell too far outside the calibrated range."""
        return self.amount_ug is None


def fit_calibration(substance: str, points: Sequence[tuple[float, float]]) -> Calibration:
    """Least-squares line through ``(amount_ug, integrated_intensity)`` points.

    Raises
    ------
    ValidationError
        With fewer than two distinct amounts, or when intensity does not grow with amount (the
        spots were not read, or the plate is overloaded).
    """
    amounts = np.array([a for a, _ in points], dtype=float)
    intensities = np.array([i for _, i in points], dtype=float)
    if len(np.unique(amounts)) < 2:
        raise ValidationError(f"{substance}: calibration needs two or more different amounts")
    slope, intercept = np.polyfit(amounts, intensities, 1)
    if slope <= 0:
        raise ValidationError(f"{substance}: intensity does not increase with amount spotted")
    residual = intensities - (slope * amounts + intercept)
    spread = float(np.sum((intensities - intensities.mean()) ** 2))
    r_squared = 1.0 - float(np.sum(residual**2)) / spread if spread > 0 else 1.0
    return Calibration(substance, float(slope), float(intercept), r_squared, tuple(amounts))


def estimate_amount(calibration: Calibration, intensity: float) -> AmountEstimate:
    """Read the amount in a sample spot of given integrated intensity off the calibration line."""
    low, high = calibration.range_ug
    amount = (intensity - calibration.intercept) / calibration.slope
    fit = f"R² {calibration.r_squared:.2f}, {len(calibration.amounts_ug)} points"
    range_words = f"{low:g}-{high:g} µg"
    if amount > high * (1 + EXTRAPOLATION_LIMIT):
        note = f"above the calibrated range ({range_words}): dilute and spot again"
        return AmountEstimate(calibration.substance, None, calibration, note)
    if amount < low * (1 - EXTRAPOLATION_LIMIT):
        note = f"below the calibrated range ({range_words}): spot more or a lower reference"
        return AmountEstimate(calibration.substance, None, calibration, note)
    inside = low <= amount <= high
    where = "within" if inside else "slightly outside"
    note = f"about {amount:.1f} µg, {where} the calibrated range {range_words} ({fit})"
    return AmountEstimate(calibration.substance, amount, calibration, note)


def purity_band(
    estimate: AmountEstimate,
    spotted_amount_ug: float | None,
    thresholds: tuple[float, float] = DEFAULT_PURITY_BANDS,
) -> str | None:
    """``low``, ``medium`` or ``high`` purity, or None when it cannot be said.

    Purity needs the amount of sample material in the spot (weighed amount, dissolved and
    spotted); without it, or without an amount estimate, no band is given.
    """
    if spotted_amount_ug is None or estimate.amount_ug is None:
        return None
    fraction = estimate.amount_ug / spotted_amount_ug
    low, high = thresholds
    if fraction < low:
        return "low"
    return "medium" if fraction < high else "high"


def plate_calibrations(identification: PlateIdentification) -> dict[str, Calibration]:
    """Calibrations for every reference substance spotted at two or more amounts on the plate."""
    calibrations = {}
    for name, reference in identification.references.items():
        points = [
            (lane.reference.amount_ug, band.intensity)
            for lane, band in reference.lanes
            if lane.reference is not None
        ]
        if len({amount for amount, _ in points}) >= 2:
            calibrations[name] = fit_calibration(name, points)
    return calibrations
