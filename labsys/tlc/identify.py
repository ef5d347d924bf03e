"""Identify the spots of sample lanes against reference standards and the reference library.

A chemist attributes a spot to a substance when it matches a reference standard co-spotted on the
same plate in Rf *and* in its behaviour under every visualisation photographed; a library Rf alone
is weaker, and two substances closer than the system's resolution cannot be told apart in that
system. This module does the same and says how sure it is.

Scoring
-------
Each candidate substance gets a likelihood ratio against the hypothesis "something that is not in
the library" (uniform over hRf 0-100, any behaviour):

* position: a normal density of the spot's hRf around where the candidate is expected *on this
  plate* (the co-spotted reference's measured hRf, or the library hRf mapped onto the plate by the
  RfC correction), with a spread that depends on how direct the comparison is
  (:data:`SPREAD_COSPOTTED`, :data:`SPREAD_CORRECTED`, :data:`SPREAD_UNCORRECTED`);
* behaviour: for each visualisation photographed, the probability of what was seen (dark, bright,
  nothing) given the candidate's behaviour, read from its co-spotted reference on the same photo,
  else from the library; unknown behaviour is neutral.

Scores are the posterior probabilities ``ratio / (1 + sum of ratios)`` with equal priors for each
candidate and for "not in the library": calibrated-ish, meant to rank and to grade the verdict,
not to be quoted as exact probabilities.

Verdicts
--------
``identified`` needs a matching co-spotted reference (score ≥ 0.9), as in lab practice;
``probable`` (≥ 0.6) and ``possible`` otherwise; ``cannot_tell_apart`` when plausible candidates
are expected within the system's resolution of the best one and none of them behaved unlike the
spot under any visualisation (a closer match in Rf alone does not separate them);
``unknown`` when no candidate explains the spot better than "not in the library". An alarming
substance (opioid, ...) is never ``identified`` without its own co-spotted reference, and no spot is
``identified`` as something else while an alarming candidate remains plausible.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from labsys.errors import ValidationError
from labsys.tlc.bands import Band, lane_bands
from labsys.tlc.layout import LaneAssignment, PlateLayout
from labsys.tlc.references import ReferenceLibrary, Substance
from labsys.tlc.results import PlateAnalysis
from labsys.tlc.rfc import Anchor, RfCorrection

SPREAD_COSPOTTED = 2.0
"""hRf spread between a sample spot and the same substance's reference on the same plate.

Assumed, not published: two spots of one substance on one plate differ by detection and by
loading (a heavier spot runs a little further). Replace with the spread of the lab's own
duplicate spots."""

SPREAD_CORRECTED = 3.5
"""hRf spread around a library value after RfC correction (assumed; Stead et al. report RfC
values to be comparable between laboratories, which is what the correction is for)."""

SPREAD_BEYOND_ANCHORS = 0.1
"""Extra hRf spread per hRf that a library value lies outside the references' range, where the
correction is a shift only and the plate's stretch is not corrected (assumed)."""

SPREAD_UNCORRECTED = 7.0
"""hRf spread around a library value on a plate without two reference standards to correct by:
plate-to-plate drift dominates (assumed)."""

IDENTIFIED_SCORE = 0.9
PROBABLE_SCORE = 0.6
ALARM_PLAUSIBLE_SCORE = 0.05
"""An alarming candidate at or above this score stops any other verdict from being confident."""
LISTED_CANDIDATES = 5

_P_MATCH = 0.9
_LIBRARY_MATCH_FACTOR = 1.5
"""A match with behaviour recorded in the library (other labs' plates, other stain batches)
weighs less than a match with a reference on the same photo."""
_P_TOO_FAINT = 0.15
_P_OPPOSITE = 0.02
_P_UNEXPECTED = 0.05
_P_ANY = 1.0 / 3.0
_COLOUR_CLOSE = 40.0
_COLOUR_FAR = 90.0


class Verdict(StrEnum):
    """How sure the identification of one spot is."""

    IDENTIFIED = "identified"
    PROBABLE = "probable"
    POSSIBLE = "possible"
    CANNOT_TELL_APART = "cannot_tell_apart"
    UNKNOWN = "unknown"

    @property
    def confident(self) -> bool:
        """True only for ``identified``: the only verdict a result may state without hedging."""
        return self is Verdict.IDENTIFIED


@dataclass(frozen=True)
class Candidate:
    """One substance the spot may be, with its score and the evidence in plain words."""

    substance: str
    score: float
    support: float
    """Likelihood ratio against "not in the library"; above 1 the candidate fits better."""
    expected_hrf: float
    """Where the candidate is expected to run on this plate."""
    cospotted: bool
    alarming: bool
    evidence: tuple[str, ...]
    contradicted: bool = False
    """True when the spot behaved unlike the candidate under some visualisation."""


@dataclass(frozen=True)
class ReferenceOnPlate:
    """A reference substance on this plate, from one or more lanes (several amounts)."""

    substance: str
    hrf: float
    """Mean hRf of its main band over its lanes."""
    band: Band
    """Main band of the lane with the largest amount: the clearest view of its behaviour."""
    lanes: tuple[tuple[LaneAssignment, Band], ...]


@dataclass(frozen=True)
class SpotIdentification:
    """What one spot in a sample lane is, ranked candidates first."""

    band: Band
    hrf_corrected: float | None
    verdict: Verdict
    candidates: tuple[Candidate, ...]
    indistinguishable: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()

    @property
    def hrf(self) -> float:
        """Measured hRf on this plate."""
        return self.band.hrf

    @property
    def top(self) -> Candidate | None:
        """The best candidate, or None when nothing in the library fits."""
        return self.candidates[0] if self.candidates else None

    @property
    def summary(self) -> str:
        """One line for a person: what the spot is and how sure."""
        where = f"spot at hRf {self.hrf:.0f}"
        if self.verdict is Verdict.UNKNOWN or self.top is None:
            return f"{where}: unknown spot (nothing in the library fits)"
        if self.verdict is Verdict.CANNOT_TELL_APART:
            return f"{where}: cannot tell apart {_and(self.indistinguishable)}"
        return f"{where}: {self.top.substance} ({self.verdict.value}, score {self.top.score:.2f})"


@dataclass(frozen=True)
class LaneIdentification:
    """The spots of one sample lane."""

    lane: LaneAssignment
    spots: tuple[SpotIdentification, ...]
    cautions: tuple[str, ...] = ()


@dataclass
class PlateIdentification:
    """Everything identified on one plate, with the correction and references used."""

    layout: PlateLayout
    correction: RfCorrection | None
    references: dict[str, ReferenceOnPlate]
    lanes: list[LaneIdentification]
    warnings: list[str] = field(default_factory=list)

    def lane(self, sample_code: str) -> LaneIdentification | None:
        """The identification of the lane holding ``sample_code``."""
        return next((lane for lane in self.lanes if lane.lane.sample_code == sample_code), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary for the CLI and for storage."""
        return {
            "plate_id": self.layout.plate_id,
            "system": self.layout.system,
            "visualisations": list(self.layout.visualisations),
            "rf_correction": None
            if self.correction is None
            else [
                {
                    "substance": a.substance,
                    "measured_hrf": round(a.measured_hrf, 1),
                    "listed_hrf": round(a.listed_hrf, 1),
                }
                for a in self.correction.anchors
            ],
            "warnings": list(self.warnings),
            "lanes": [
                {
                    "index": lane.lane.index,
                    "sample_code": lane.lane.sample_code,
                    "cautions": list(lane.cautions),
                    "spots": [_spot_dict(spot) for spot in lane.spots],
                }
                for lane in self.lanes
            ],
        }


def identify(
    analyses: Mapping[str, PlateAnalysis], layout: PlateLayout, library: ReferenceLibrary
) -> PlateIdentification:
    """Rank candidate substances for every spot in every sample lane of a plate.

    Parameters
    ----------
    analyses
        One :class:`PlateAnalysis` per visualisation photographed, keyed by its name as listed in
        ``layout.visualisations`` (``uv254``, ``uv366``, ``iodoplatinate`` ...).
    layout
        Which lane holds which sample or reference standard, and the solvent system.
    library
        The reference library.

    Returns
    -------
    PlateIdentification

    Raises
    ------
    ValidationError
        When no photo is given, a photo is not listed in the layout, or the layout does not fit
        the library.
    """
    if not analyses:
        raise ValidationError("identify: no photo analysis given")
    unlisted = [name for name in analyses if name not in layout.visualisations]
    if unlisted:
        raise ValidationError(
            f"visualisations: {', '.join(unlisted)} photographed but not in the plate layout"
        )
    layout = layout.check_against(library)
    system = library.systems[layout.system]
    warnings = _lane_count_warnings(analyses, layout)
    references = _references_on_plate(analyses, layout)
    warnings += [
        f"reference lane {lane.index} ({lane.reference.substance}) shows no spot in any photo"
        for lane in layout.lanes
        if lane.reference is not None
        and not any(lane in dict(r.lanes) for r in references.values())
    ]
    correction = RfCorrection.from_anchors(
        [
            Anchor(name, reference.hrf, expected.hrf)
            for name, reference in references.items()
            if (expected := library.substances[name].hrf(system.code)) is not None
        ]
    )
    doubts = _lane_doubts(analyses, layout, correction)
    if doubts:
        correction = None
    elif correction is None:
        warnings.append(
            "fewer than two reference standards with library values on this plate: Rf is not "
            "corrected and library comparisons are loose"
        )
    warnings += doubts
    context = _Context(
        library,
        system.code,
        system.resolution.min_delta_hrf,
        references,
        correction,
        lanes_in_doubt=bool(doubts),
    )
    lanes = [
        LaneIdentification(
            lane=lane,
            spots=tuple(context.identify_band(band) for band in lane_bands(analyses, lane.index)),
            cautions=context.blind_spots(),
        )
        for lane in layout.lanes
        if not lane.is_reference
    ]
    return PlateIdentification(layout, correction, references, lanes, warnings)


@dataclass(frozen=True)
class _Context:
    library: ReferenceLibrary
    system: str
    resolution: float
    references: Mapping[str, ReferenceOnPlate]
    correction: RfCorrection | None
    lanes_in_doubt: bool = False

    def identify_band(self, band: Band) -> SpotIdentification:
        corrected = None if self.correction is None else self.correction.corrected(band.hrf)
        supports = [
            candidate
            for substance in self.library.substances.values()
            if (candidate := self._assess(substance, band, corrected)) is not None
        ]
        total = 1.0 + sum(c.support for c in supports)
        ranked = sorted(
            (replace(c, score=c.support / total) for c in supports),
            key=lambda c: c.score,
            reverse=True,
        )
        verdict, tied, cautions = self._verdict(ranked)
        shown = tuple(c for c in ranked[:LISTED_CANDIDATES] if c.score >= 0.01 or c in tied)
        return SpotIdentification(
            band=band,
            hrf_corrected=corrected,
            verdict=verdict,
            candidates=shown if verdict is not Verdict.UNKNOWN else (),
            indistinguishable=tuple(c.substance for c in tied),
            cautions=tuple(cautions),
        )

    def blind_spots(self) -> tuple[str, ...]:
        """Alarming substances this plate can neither show nor rule out."""
        blind = [
            s.name
            for s in self.library.substances.values()
            if s.alarming and s.name not in self.references and s.hrf(self.system) is None
        ]
        if not blind:
            return ()
        return (
            f"{_and(blind)}: no hRf in system {self.system} and no reference on this plate, so "
            "this plate can neither show nor rule them out",
        )

    def _assess(
        self, substance: Substance, band: Band, corrected: float | None
    ) -> Candidate | None:
        reference = self.references.get(substance.name)
        listed = substance.hrf(self.system)
        if reference is not None:
            expected, spread = reference.hrf, SPREAD_COSPOTTED
            evidence = [_cospot_evidence(substance.name, band.hrf, reference.hrf)]
        elif listed is not None:
            if self.correction is not None:
                expected = self.correction.on_plate(listed.hrf)
                spread = SPREAD_CORRECTED + SPREAD_BEYOND_ANCHORS * self.correction.beyond(
                    listed.hrf
                )
            else:
                expected, spread = listed.hrf, SPREAD_UNCORRECTED
            evidence = []
        else:
            return None
        if listed is not None:
            evidence.append(
                _library_evidence(listed.hrf, listed.lab_measured, self.system, band, corrected)
            )
        support = _normal(band.hrf, expected, spread) * 100.0
        contradicted = False
        for visualisation in band.photographed:
            factor, words = _behaviour(substance, reference, band, visualisation)
            support *= factor
            contradicted = contradicted or factor < 1.0
            if words:
                evidence.append(words)
        return Candidate(
            substance=substance.name,
            score=0.0,
            support=support,
            expected_hrf=expected,
            cospotted=reference is not None,
            alarming=substance.alarming,
            evidence=tuple(evidence),
            contradicted=contradicted,
        )

    def _verdict(self, ranked: list[Candidate]) -> tuple[Verdict, tuple[Candidate, ...], list[str]]:
        if not ranked or ranked[0].support < 1.0:
            return Verdict.UNKNOWN, (), []
        top = ranked[0]
        tied = tuple(
            c
            for c in ranked
            if c is top
            or (
                c.support >= 1.0
                and not c.contradicted
                and abs(c.expected_hrf - top.expected_hrf) < self.resolution
            )
        )
        cautions = [
            f"{c.substance} cannot be ruled out (score {c.score:.2f})"
            for c in ranked[1:]
            if c.alarming and c.score >= ALARM_PLAUSIBLE_SCORE and c not in tied
        ]
        if len(tied) > 1:
            return Verdict.CANNOT_TELL_APART, tied, cautions
        if top.score >= IDENTIFIED_SCORE and top.cospotted and not cautions:
            if not self.lanes_in_doubt:
                return Verdict.IDENTIFIED, (), cautions
            cautions.append("the lane order of this plate is in doubt (see the plate warnings)")
        if top.alarming and not top.cospotted:
            cautions.insert(0, f"{top.substance} suggested by library values only: co-spot it")
        if top.score >= PROBABLE_SCORE:
            return Verdict.PROBABLE, (), cautions
        return Verdict.POSSIBLE, (), cautions


def _references_on_plate(
    analyses: Mapping[str, PlateAnalysis], layout: PlateLayout
) -> dict[str, ReferenceOnPlate]:
    """Main band (strongest) of each reference lane, grouped by substance."""
    by_substance: dict[str, list[tuple[LaneAssignment, Band]]] = {}
    for lane in layout.lanes:
        if lane.reference is None:
            continue
        bands = lane_bands(analyses, lane.index)
        if bands:
            main = max(bands, key=lambda b: (len(b.spots), b.intensity))
            by_substance.setdefault(lane.reference.substance, []).append((lane, main))
    references = {}
    for name, lanes in by_substance.items():
        clearest = max(
            lanes, key=lambda item: item[0].reference.amount_ug if item[0].reference else 0
        )
        mean_hrf = sum(band.hrf for _, band in lanes) / len(lanes)
        references[name] = ReferenceOnPlate(name, mean_hrf, clearest[1], tuple(lanes))
    return references


def _lane_doubts(
    analyses: Mapping[str, PlateAnalysis], layout: PlateLayout, correction: RfCorrection | None
) -> list[str]:
    """Signs that lanes were read in another order than the layout gives.

    Two checks: references with library values must run in a plausible order and spacing
    (:attr:`RfCorrection.implausible`), and each lane must sit at the same relative place across
    the photos of the plate (within half a lane's spacing). A lane that left no trace in a photo
    is placed by guesswork, and a shifted lane turns a co-spotted reference into false evidence.
    """
    doubts = [
        f"references {a.substance} (hRf {a.measured_hrf:.0f}) and {b.substance} "
        f"(hRf {b.measured_hrf:.0f}) are implausibly spaced for listed values "
        f"{a.listed_hrf:.0f} and {b.listed_hrf:.0f}: check the lane order"
        for a, b in (correction.implausible if correction else [])
    ]
    positions = {
        name: _relative_lane_positions(analysis)
        for name, analysis in analyses.items()
        if len(analysis.lanes) == layout.lane_count
    }
    if len(positions) >= 2 and layout.lane_count >= 2:
        first, *others = positions
        half_pitch = 0.5 / (layout.lane_count - 1)
        for name in others:
            shifted = [
                i
                for i, (a, b) in enumerate(zip(positions[first], positions[name], strict=True))
                if abs(a - b) > half_pitch
            ]
            if shifted:
                doubts.append(
                    f"lane(s) {', '.join(map(str, shifted))} sit elsewhere in the {name} photo "
                    f"than in the {first} photo: check the lane order"
                )
    return doubts


def _relative_lane_positions(analysis: PlateAnalysis) -> list[float]:
    """Lane centres scaled so the first lane is at 0 and the last at 1."""
    centres = [lane.centre_x for lane in sorted(analysis.lanes, key=lambda lane: lane.index)]
    span = centres[-1] - centres[0]
    return [(x - centres[0]) / span if span > 0 else 0.0 for x in centres]


def _lane_count_warnings(analyses: Mapping[str, PlateAnalysis], layout: PlateLayout) -> list[str]:
    return [
        f"{name}: {len(analysis.lanes)} lanes found, the layout has {layout.lane_count}"
        for name, analysis in analyses.items()
        if len(analysis.lanes) != layout.lane_count
    ]


def _behaviour(
    substance: Substance, reference: ReferenceOnPlate | None, band: Band, visualisation: str
) -> tuple[float, str]:
    """Likelihood ratio of what the spot shows under one visualisation, and the words for it."""
    seen = band.response(visualisation)
    label = visualisation_label(visualisation)
    if reference is not None:
        expected = reference.band.response(visualisation)
        whose = f"the {substance.name} reference"
    elif visualisation in substance.visualisation:
        expected = substance.visualisation[visualisation].response
        whose = f"{substance.name} (library)"
    else:
        return 1.0, ""
    if seen is None or expected is None:
        return 1.0, ""
    if seen == expected:
        factor = _P_MATCH / _P_ANY if reference is not None else _LIBRARY_MATCH_FACTOR
        if reference is not None and seen != "none":
            colour_factor, colour_words = _colour(band, reference.band, visualisation)
            return (
                factor * colour_factor,
                f"{_response_words(seen)} under {label} like {whose}{colour_words}",
            )
        return factor, f"{_response_words(seen)} under {label} like {whose}"
    if seen == "none":
        probability = _P_TOO_FAINT
    elif expected == "none":
        probability = _P_UNEXPECTED
    else:
        probability = _P_OPPOSITE
    return probability / _P_ANY, (
        f"{_response_words(seen)} under {label}, whereas {whose} is {_response_words(expected)}"
    )


def _colour(sample: Band, reference: Band, visualisation: str) -> tuple[float, str]:
    """Compare spot colours on the same photo (stains only: UV spots differ only in darkness)."""
    if visualisation.startswith("uv"):
        return 1.0, ""
    a, b = sample.spots[visualisation].colour, reference.spots[visualisation].colour
    distance = math.dist(a, b)
    if distance <= _COLOUR_CLOSE:
        return 1.5, ", same colour"
    if distance >= _COLOUR_FAR:
        return 0.3, ", but a different colour"
    return 1.0, ""


def _cospot_evidence(name: str, hrf: float, reference_hrf: float) -> str:
    difference = hrf - reference_hrf
    if abs(difference) < SPREAD_COSPOTTED:
        how = "same height as"
    elif difference > 0:
        how = "higher than"
    else:
        how = "lower than"
    return f"{how} the {name} reference on this plate (hRf {hrf:.0f} vs {reference_hrf:.0f})"


def _library_evidence(
    listed: float, lab_measured: bool, system: str, band: Band, corrected: float | None
) -> str:
    origin = "lab-measured" if lab_measured else "library"
    if corrected is None:
        return (
            f"{origin} hRf {listed:.0f} in system {system}, measured {band.hrf:.0f} (uncorrected)"
        )
    return (
        f"{origin} hRf {listed:.0f} in system {system}, measured {corrected:.0f} after correction"
    )


def _normal(x: float, mean: float, spread: float) -> float:
    return math.exp(-0.5 * ((x - mean) / spread) ** 2) / (spread * math.sqrt(2 * math.pi))


def _response_words(response: str) -> str:
    return {"dark": "dark", "bright": "bright (fluorescent)", "none": "not visible"}[response]


def visualisation_label(name: str) -> str:
    """``uv254`` → ``UV 254 nm``; stains keep their name."""
    if name.startswith("uv") and name[2:].isdigit():
        return f"UV {name[2:]} nm"
    return name.replace("_", " ")


def _and(items: tuple[str, ...] | list[str]) -> str:
    names = list(items)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _spot_dict(spot: SpotIdentification) -> dict[str, Any]:
    return {
        "hrf": round(spot.hrf, 1),
        "hrf_corrected": None if spot.hrf_corrected is None else round(spot.hrf_corrected, 1),
        "verdict": spot.verdict.value,
        "summary": spot.summary,
        "indistinguishable": list(spot.indistinguishable),
        "cautions": list(spot.cautions),
        "seen": {name: spot.band.response(name) for name in spot.band.photographed},
        "candidates": [
            {
                "substance": c.substance,
                "score": round(c.score, 3),
                "cospotted": c.cospotted,
                "alarming": c.alarming,
                "evidence": list(c.evidence),
            }
            for c in spot.candidates
        ],
    }
