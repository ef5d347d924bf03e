"""What is on a synthetic plate: lanes, spots, pencil marks and visualisation, in millimetres.

A :class:`PlateSpec` describes the plate as the chemist made it, independent of any photo. All
lengths are millimetres; x runs from the plate's left edge, and the origin and front are given as
heights above the bottom edge, the way a chemist measures them with a ruler.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from labsys.tlc.synthetic._noise import pick

Visualisation = Literal[
    "uv254", "uv366", "stain_iodoplatinate", "daylight_pencil_circled", "daylight_coloured"
]
Appearance = Literal["dark", "bright"]
FrontMark = Literal["line", "ticks", "none"]
OriginMark = Literal["line", "line_ticks", "ticks", "none"]
Backing = Literal["aluminium", "glass", "plastic"]

_ORIGIN_MARKS: tuple[OriginMark, ...] = ("line", "line_ticks", "ticks")
_BACKINGS: tuple[Backing, ...] = ("aluminium", "glass", "plastic")
VISUALISATIONS: tuple[Visualisation, ...] = (
    "uv254",
    "uv366",
    "stain_iodoplatinate",
    "daylight_pencil_circled",
    "daylight_coloured",
)

# How often each visualisation turns up in a drug-checking lab's photo archive (rough guess:
# UV 254 is photographed for every plate, stains and pencil-marked plates for many).
_VISUALISATION_WEIGHTS = (0.34, 0.14, 0.2, 0.2, 0.12)

# Colours a spot leaves at full strength, per visualisation (sRGB 0-1). Dark spots are the colour
# transmitted through the spot (Beer-Lambert); bright spots are the emitted fluorescence.
_DARK_COLOURS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "uv254": ((0.16, 0.12, 0.3), (0.1, 0.1, 0.18), (0.22, 0.16, 0.35)),
    "uv366": ((0.05, 0.04, 0.1),),
    "stain_iodoplatinate": (
        (0.45, 0.18, 0.45),
        (0.35, 0.2, 0.55),
        (0.5, 0.3, 0.25),
        (0.3, 0.22, 0.45),
        (0.55, 0.35, 0.3),
    ),
    "daylight_pencil_circled": ((0.97, 0.95, 0.82), (0.95, 0.94, 0.93), (0.97, 0.93, 0.95)),
    "daylight_coloured": (
        (0.85, 0.15, 0.15),
        (0.95, 0.55, 0.1),
        (0.95, 0.85, 0.15),
        (0.15, 0.35, 0.85),
        (0.2, 0.6, 0.25),
        (0.55, 0.2, 0.6),
    ),
}
_BRIGHT_COLOURS: tuple[tuple[float, float, float], ...] = (
    (0.35, 0.55, 1.0),
    (0.3, 0.85, 0.95),
    (0.75, 0.95, 0.35),
    (1.0, 0.7, 0.25),
    (0.7, 0.55, 1.0),
)


@dataclass(frozen=True)
class SpotSpec:
    """One substance's spot in a lane, as it was developed.

    Attributes
    ----------
    rf
        Where the spot's core sits (0-1). The measured ground-truth Rf (centre of mass of the
        rendered spot) differs slightly when the spot tails.
    amount
        Relative strength: about 0.1 is barely visible, 1 a clear spot, above 2 overloaded (the
        spot grows and smears from the origin upwards).
    size_mm
        Standard deviation of the spot along the development direction, in mm; spots are drawn
        wider than tall.
    tailing
        0 for a compact spot, up to 1 for a long tail towards the origin.
    appearance
        ``"dark"`` (quenching, stain, dye) or ``"bright"`` (fluorescence).
    colour
        sRGB colour (0-1): transmitted colour for dark spots, emitted colour for bright ones.
    """

    rf: float
    amount: float = 1.0
    size_mm: float = 1.5
    tailing: float = 0.0
    appearance: Appearance = "dark"
    colour: tuple[float, float, float] = (0.2, 0.15, 0.3)


@dataclass(frozen=True)
class LaneSpec:
    """One lane: where it was spotted, what developed in it and its pencil label.

    Attributes
    ----------
    x_mm
        Lane centre from the plate's left edge.
    spots
        The spots in this lane.
    origin_residue
        Strength of material left at the origin (0 for none).
    label
        Pencil label written under the origin ("" for none).
    """

    x_mm: float
    spots: tuple[SpotSpec, ...] = ()
    origin_residue: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class PlateSpec:
    """A developed and visualised TLC plate, as the chemist made it.

    Attributes
    ----------
    width_mm, height_mm
        Plate size.
    origin_mm
        Height of the origin above the bottom edge.
    front_mm
        Height of the solvent front above the bottom edge.
    lanes
        Lanes, left to right.
    visualisation
        How the plate is seen in the photo.
    front_mark
        The front as a full pencil line, short ticks at both edges, or not marked.
    origin_mark
        The origin as a pencil line, a line with ticks under each lane, edge ticks only, or none.
    backing
        Plate backing, which decides how the plate's edge looks.
    note
        A short pencil note above the front (initials, system, date) or "".
    front_band
        Strength of the faint line the solvent front itself leaves in the layer (0 for none).
    """

    width_mm: float = 50.0
    height_mm: float = 100.0
    origin_mm: float = 12.0
    front_mm: float = 88.0
    lanes: tuple[LaneSpec, ...] = field(default_factory=tuple)
    visualisation: Visualisation = "uv254"
    front_mark: FrontMark = "line"
    origin_mark: OriginMark = "line"
    backing: Backing = "aluminium"
    note: str = ""
    front_band: float = 0.0

    @property
    def development_mm(self) -> float:
        """Distance the solvent travelled from origin to front."""
        return self.front_mm - self.origin_mm


def random_plate_spec(rng: np.random.Generator, **overrides: Any) -> PlateSpec:
    """Draw a plate as a drug-checking lab might make it.

    Variety matters more than convenience: samples share compounds with reference lanes (spots
    line up across lanes), some spots are faint, some pairs are only 0.05 Rf apart, some tail,
    overloaded lanes smear, lanes are spaced unevenly by hand.

    Parameters
    ----------
    rng
        Source of randomness; the same seed gives the same plate.
    **overrides
        Any :class:`PlateSpec` field to fix (for example ``visualisation="uv254"`` or
        ``lanes=...``). ``n_lanes`` fixes the lane count while lanes are still drawn.

    Returns
    -------
    PlateSpec
    """
    n_lanes_wanted = overrides.pop("n_lanes", None)
    visualisation: Visualisation = overrides.get("visualisation") or pick(
        rng, VISUALISATIONS, _VISUALISATION_WEIGHTS
    )
    # Commercial sizes, cut by hand a little off.
    cut = float(np.clip(rng.choice([50.0, 50.0, 60.0, 75.0, 100.0]) + rng.uniform(-2, 2), 50, 100))
    width = overrides.get("width_mm") or round(cut, 1)
    height = overrides.get("height_mm") or round(float(rng.uniform(75.0, 100.0)), 1)
    origin = round(float(rng.uniform(10.0, 15.0)), 1)
    front = round(height - float(rng.uniform(5.0, 15.0)), 1)
    max_lanes = int(min(8, (width - 14.0) // 7.0 + 1))
    n_lanes = n_lanes_wanted or int(rng.integers(1, max_lanes + 1))
    lane_x = _lane_centres(rng, width, n_lanes)
    # Chemists space lanes so that developed spots stay apart: a spot's spread (about 4.5 sigma
    # across, spots being wider than tall) fits within the lane pitch.
    pitch = float(np.diff(lane_x).min()) if n_lanes > 1 else width / 2
    max_size = pitch / 6.5
    compounds = _compound_pool(rng, visualisation)
    lanes = tuple(
        _random_lane(rng, x, width, max_size, compounds, label)
        for x, label in zip(lane_x, _lane_labels(rng, n_lanes), strict=True)
    )
    spec = PlateSpec(
        width_mm=width,
        height_mm=height,
        origin_mm=origin,
        front_mm=front,
        lanes=lanes,
        visualisation=visualisation,
        front_mark="line" if rng.random() < 0.6 else "ticks",
        origin_mark=pick(rng, _ORIGIN_MARKS, [0.6, 0.3, 0.1]),
        backing=pick(rng, _BACKINGS, [0.55, 0.3, 0.15]),
        note=pick(rng, ["", "", "", "TA", "TB", "EtOAc/MeOH", "12/3", "JD"]),
        front_band=round(float(rng.uniform(0.05, 0.4)), 3) if rng.random() < 0.35 else 0.0,
    )
    return replace(spec, **overrides)


def _lane_centres(rng: np.random.Generator, width: float, n_lanes: int) -> np.ndarray:
    """Lane centres spaced by hand: roughly even, each off by up to a millimetre or so."""
    margin = float(rng.uniform(7.0, 12.0))
    if n_lanes == 1:
        return np.array([width / 2.0 + rng.uniform(-3.0, 3.0)])
    span = width - 2.0 * margin
    pitch = span / (n_lanes - 1)
    centres = margin + pitch * np.arange(n_lanes)
    jitter = rng.uniform(-1.0, 1.0, n_lanes) * min(1.2, 0.15 * pitch)
    return np.round(centres + jitter, 2)


@dataclass(frozen=True)
class _Compound:
    """A substance on this plate: where it runs and how it looks."""

    rf: float
    appearance: Appearance
    colour: tuple[float, float, float]
    size_mm: float
    tailing: float


def _compound_pool(rng: np.random.Generator, visualisation: str) -> list[_Compound]:
    """Substances present on the plate; lanes draw from them so spots align across lanes."""
    n = int(rng.integers(3, 9))
    rfs: list[float] = []
    while len(rfs) < n:
        rf = float(rng.uniform(0.07, 0.93))
        rfs.append(rf)
        if rng.random() < 0.25 and len(rfs) < n:
            partner = rf + float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.05, 0.07))
            if 0.07 <= partner <= 0.93:
                rfs.append(partner)
    return [_random_compound(rng, rf, visualisation) for rf in rfs]


def _random_compound(rng: np.random.Generator, rf: float, visualisation: str) -> _Compound:
    """One substance's look under this visualisation."""
    bright_chance = {"uv254": 0.12, "uv366": 0.8}.get(visualisation, 0.0)
    if rng.random() < bright_chance:
        appearance: Appearance = "bright"
        colour = pick(rng, _BRIGHT_COLOURS)
    else:
        appearance = "dark"
        colour = pick(rng, _DARK_COLOURS[visualisation])
    r, g, b = np.clip(np.array(colour) + rng.normal(0.0, 0.03, 3), 0.0, 1.0)
    size = float(rng.uniform(0.8, 1.4) + 0.6 * rf * rng.random())
    tailing = float(rng.uniform(0.3, 1.0)) if rng.random() < 0.25 else 0.0
    return _Compound(rf, appearance, (float(r), float(g), float(b)), size, tailing)


def _random_lane(
    rng: np.random.Generator,
    x: float,
    width: float,
    max_size_mm: float,
    compounds: list[_Compound],
    label: str,
) -> LaneSpec:
    """A lane drawing 0-4 of the plate's substances at varied strength."""
    n_spots = int(rng.choice(5, p=[0.1, 0.3, 0.3, 0.2, 0.1]))
    chosen: list[_Compound] = []
    for position in rng.permutation(len(compounds)):
        compound = compounds[int(position)]
        if len(chosen) >= n_spots:
            break
        if all(abs(compound.rf - other.rf) >= 0.045 for other in chosen):
            chosen.append(compound)
    # Lanes near the edges run a little differently ("smile"); each lane wobbles slightly too.
    offset = (x - width / 2.0) / (width / 2.0)
    smile = float(rng.uniform(-0.03, 0.02)) * offset**2
    overloaded = rng.random() < 0.1 and chosen
    spots = []
    for k, compound in enumerate(chosen):
        amount = min(float(rng.lognormal(0.0, 0.5)), 1.8)
        if rng.random() < 0.2:
            amount = float(rng.uniform(0.01, 0.25))
        if overloaded and k == 0:
            amount = float(rng.uniform(2.5, 5.0))
        rf = float(np.clip(compound.rf * (1.0 + smile) + rng.normal(0.0, 0.004), 0.05, 0.95))
        spots.append(
            SpotSpec(
                rf=round(rf, 4),
                amount=round(amount, 3),
                size_mm=round(min(compound.size_mm * rng.uniform(0.85, 1.15), max_size_mm), 3),
                tailing=compound.tailing,
                appearance=compound.appearance,
                colour=compound.colour,
            )
        )
    residue = float(rng.uniform(0.2, 1.0)) if rng.random() < 0.4 else 0.0
    return LaneSpec(x_mm=float(x), spots=tuple(spots), origin_residue=residue, label=label)


def _lane_labels(rng: np.random.Generator, n_lanes: int) -> list[str]:
    """Pencil labels in one style per plate: numbers, letters, sample/reference marks, or none."""
    style = rng.random()
    if style < 0.45:
        return [str(k + 1) for k in range(n_lanes)]
    if style < 0.65:
        return list("ABCDEFGH"[:n_lanes])
    if style < 0.8:
        marks = ["S", "R", "C", "M", "K", "H", "P", "x"]
        return [marks[int(k)] for k in rng.choice(len(marks), n_lanes, replace=False)]
    return [""] * n_lanes
