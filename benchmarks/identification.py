"""How well does identification do? Simulated plates, scored against the truth.

Run as ``.venv/bin/python benchmarks/identification.py [--seed N] [--plates N]``.

Plates are simulated at the level of :class:`~labsys.tlc.results.PlateAnalysis` (spots with hRf,
appearance, colour and intensity), not images, so the benchmark measures identification alone.
Each plate has one to three sample lanes holding one to three substances, and reference lanes in
one of three modes: the sample's own substances are co-spotted, with up to two decoys
(``cospotted``); only two to four other substances are spotted, which gives the RfC correction as
the standardised systems prescribe but leaves identification to library values (``library``); or
no reference at all (``bare``, reported on its own line, not in the last line).

Two libraries are used:

* ``real``: the shipped reference library. Only substances with an hRf in a system can be
  simulated in that system; today these are the systems' four listed reference compounds, far
  apart, so this part is easy and says little about "cannot tell apart".
* ``dense``: 24 hypothetical substances at random hRf in a hypothetical system, drawn anew for
  every plate, a quarter of them alarming (opioid), half with recorded behaviour. They exist only
  in memory, are never written to the library, and carry no chemical claim: they exercise the
  hard cases (neighbours within the resolution, opioid caution).

Scatter between plates (assumed; no published magnitude was available to us, so these are set
pessimistically and can be changed on the command line): a per-plate shift of hRf with standard
deviation ``--shift`` (3), a per-plate stretch with standard deviation ``--stretch`` (0.05), and
per-spot noise ``--noise`` (1.0 hRf). The substances' true behaviour per visualisation is drawn
at random for the simulation (the real library records none yet); co-spotted references show it.

A spot is *separable* when no substance that the photographed behaviour cannot tell from it is
listed within the resolution + 1.5 hRf, and *should be "cannot tell apart"* when one is within the
resolution - 1.5; in between plate scatter decides and the spot counts only for "unknown" and
opioid errors. The last line reports ``cases`` (sample spots scored), top-1 accuracy on
separable spots with co-spotted references and on library values alone, the share of
should-be spots reported as "cannot tell apart" (recall) and of separable ones wrongly so, false
"unknown", and the count of confident wrong identifications of an opioid or of its absence.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labsys.errors import LabsysError
from labsys.tlc.identify import SpotIdentification, Verdict, identify
from labsys.tlc.layout import parse_layout
from labsys.tlc.references import (
    ReferenceLibrary,
    SolventSystem,
    Substance,
    load_library,
)
from labsys.tlc.results import PlateAnalysis
from labsys.tlc.simulate import SpotSpec, plate_from_spots

VISUALISATION_CHOICES = (("uv254",), ("uv254", "uv366"), ("uv254", "iodoplatinate"))
STAIN_COLOURS = ((110, 50, 120), (70, 60, 140), (120, 80, 50))
"""Purple, blue, brown: the iodoplatinate colours for bases (domain brief)."""
DENSE_SYSTEM = "HX"
_HYPO = "hypothetical (benchmark only)"
MODES = ("cospotted", "library", "bare")
BORDERLINE = 1.5
"""Spots whose nearest look-alike is within this of the resolution are neither "separable" nor
"should be cannot tell apart": plate scatter decides, and either answer is acceptable."""


@dataclass
class Tally:
    """Counts behind the reported rates."""

    cases: int = 0
    top1: dict[str, list[bool]] = field(default_factory=lambda: {mode: [] for mode in MODES})
    cannot_tell_recall: list[bool] = field(default_factory=list)
    cannot_tell_false: list[bool] = field(default_factory=list)
    false_unknown: list[bool] = field(default_factory=list)
    confident_wrong_opioid: int = 0
    refused_photos: int = 0
    top_scores: list[tuple[float, bool]] = field(default_factory=list)
    """(score of the top candidate, whether it was right), for the calibration table."""

    def line(self) -> str:
        """The key=value summary (the benchmark's last line)."""
        return (
            f"cases={self.cases} top1_cospotted={_rate(self.top1['cospotted'])} "
            f"top1_library={_rate(self.top1['library'])} "
            f"cannot_tell_recall={_rate(self.cannot_tell_recall)} "
            f"cannot_tell_false={_rate(self.cannot_tell_false)} "
            f"false_unknown={_rate(self.false_unknown)} "
            f"confident_wrong_opioid={self.confident_wrong_opioid}"
        )


@dataclass(frozen=True)
class Scenario:
    """A library, the system to simulate in, and each substance's true behaviour."""

    name: str
    library: ReferenceLibrary
    system: str
    behaviour: dict[str, dict[str, str]]

    @property
    def substances(self) -> list[Substance]:
        return self.library.with_values_in(self.system)

    def listed(self, name: str) -> float:
        value = self.library.substances[name].hrf(self.system)
        assert value is not None
        return value.hrf


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--plates", type=int, help="plates per scenario and mode (150; 4 rendered)")
    parser.add_argument("--shift", type=float, default=3.0)
    parser.add_argument("--stretch", type=float, default=0.05)
    parser.add_argument("--noise", type=float, default=1.0)
    parser.add_argument(
        "--render",
        action="store_true",
        help="photograph each plate with labsys.tlc.synthetic and read it with analyse_plate",
    )
    args = parser.parse_args(argv)
    if args.plates is None:
        args.plates = 4 if args.render else 150
    rng = np.random.default_rng(args.seed)
    total = Tally()
    makers: list[tuple[str, Callable[[], Scenario]]] = [
        (scenario.name, lambda scenario=scenario: scenario) for scenario in _real_scenarios(rng)
    ]
    makers.append(("dense", lambda: _dense_scenario(rng)))
    for name, make in makers:
        for mode in MODES:
            tally = Tally()
            for _ in range(args.plates):
                _run_plate(rng, make(), mode, args, tally)
            bare = f" top1_bare={_rate(tally.top1['bare'])}" if mode == "bare" else ""
            print(f"{name:>9} {mode:>9}: {tally.line()}{bare}")
            _merge(total, tally)
    print(f"plates without any reference standard: top1_bare={_rate(total.top1['bare'])}")
    print(f"score calibration (top candidate, all spots): {_calibration(total.top_scores)}")
    if args.render:
        print(f"plates whose photos analyse_plate refused: {total.refused_photos}")
    print(total.line())
    return 0


def _real_scenarios(rng: np.random.Generator) -> list[Scenario]:
    """One scenario per shipped system with at least two substances with values."""
    library = load_library()
    return [
        Scenario(f"real/{code}", library, code, _true_behaviour(rng, substances))
        for code in sorted(library.systems)
        if len(substances := [s.name for s in library.with_values_in(code)]) >= 2
    ]


def _dense_scenario(rng: np.random.Generator) -> Scenario:
    """A fresh hypothetical library (drawn anew for every plate, so no one draw dominates)."""
    names = [f"H{i:02d}" for i in range(24)]
    behaviour = _true_behaviour(rng, names)
    substances = {}
    for i, name in enumerate(names):
        alarming = i % 4 == 0
        substances[name] = Substance.model_validate(
            {
                "version": 1,
                "name": name,
                "class": "opioid" if alarming else "cutting_agent",
                "alarming": alarming,
                "alarming_reason": "hypothetical opioid" if alarming else None,
                "rf": {DENSE_SYSTEM: {"hrf": round(float(rng.uniform(5, 95)), 1), "source": _HYPO}},
                "visualisation": {
                    vis: {"response": response, "source": _HYPO}
                    for vis, response in behaviour[name].items()
                }
                if i % 2 == 0
                else {},
            }
        )
    system = SolventSystem.model_validate(
        {
            "version": 1,
            "code": DENSE_SYSTEM,
            "name": "hypothetical dense system",
            "mobile_phase": "n/a",
            "plate": "n/a",
            "koh_treated": False,
            "source": _HYPO,
            "resolution": {"min_delta_hrf": 5, "source": "same lab default as the real systems"},
        }
    )
    library = ReferenceLibrary(substances, {DENSE_SYSTEM: system})
    return Scenario("dense", library, DENSE_SYSTEM, behaviour)


def _true_behaviour(rng: np.random.Generator, names: list[str]) -> dict[str, dict[str, str]]:
    """Simulation-only behaviour: most substances quench at 254 nm, few fluoresce, most stain."""
    return {
        name: {
            "uv254": "dark" if rng.random() < 0.8 else "none",
            "uv366": "bright" if rng.random() < 0.2 else "none",
            "iodoplatinate": "dark" if rng.random() < 0.7 else "none",
        }
        for name in names
    }


def _run_plate(
    rng: np.random.Generator,
    scenario: Scenario,
    mode: str,
    args: argparse.Namespace,
    tally: Tally,
) -> None:
    names = [s.name for s in scenario.substances]
    resolution = scenario.library.systems[scenario.system].resolution.min_delta_hrf
    samples = [_draw_sample(rng, scenario, names, resolution) for _ in range(rng.integers(1, 4))]
    in_samples = sorted({n for sample in samples for n in sample})
    if mode == "cospotted":
        others = [n for n in names if n not in in_samples]
        decoys = list(rng.choice(others, size=min(len(others), rng.integers(0, 3)), replace=False))
        references = in_samples + decoys
    elif mode == "library":
        others = [n for n in names if n not in in_samples]
        count = min(len(others), int(rng.integers(2, 5)))
        references = list(rng.choice(others, size=count, replace=False))
    else:
        references = []
    visualisations = VISUALISATION_CHOICES[rng.integers(len(VISUALISATION_CHOICES))]
    shift = rng.normal(0, args.shift)
    stretch = rng.normal(1, args.stretch)

    def on_plate(name: str) -> float:
        hrf = shift + stretch * scenario.listed(name) + rng.normal(0, args.noise)
        return float(np.clip(hrf, 1, 99))

    lanes = [list(sample) for sample in samples] + [[name] for name in references]
    positions = [{name: on_plate(name) for name in lane} for lane in lanes]
    colours = {n: STAIN_COLOURS[rng.integers(len(STAIN_COLOURS))] for n in names}
    photos = {
        vis: [
            [
                SpotSpec(hrf + rng.normal(0, 0.3), _appearance(response), colours[name])
                for name, hrf in lane.items()
                if (response := scenario.behaviour[name][vis]) != "none"
            ]
            for lane in positions
        ]
        for vis in visualisations
    }
    try:
        analyses = {
            vis: _rendered(rng, spots, vis) if args.render else plate_from_spots(spots)
            for vis, spots in photos.items()
        }
    except LabsysError:
        tally.refused_photos += 1
        return
    layout = parse_layout(
        {
            "plate_id": "SIM",
            "system": scenario.system,
            "development_distance_mm": 80,
            "date": date.today().isoformat(),
            "visualisations": list(visualisations),
            "lanes": [{"index": i, "sample_code": f"S{i}"} for i in range(len(samples))]
            + [
                {"index": len(samples) + i, "reference": {"substance": n, "amount_ug": 5}}
                for i, n in enumerate(references)
            ],
        }
    )
    result = identify(analyses, layout, scenario.library)
    tolerance = 3.0 if args.render else 1.5
    for lane_result, truth in zip(result.lanes, positions[: len(samples)], strict=True):
        for name, hrf in truth.items():
            spot = next((s for s in lane_result.spots if abs(s.band.hrf - hrf) < tolerance), None)
            if spot is None:
                continue  # invisible in every visualisation photographed: TLC cannot see it
            _score(scenario, name, spot, references, visualisations, tally)


def _draw_sample(
    rng: np.random.Generator, scenario: Scenario, names: list[str], resolution: float
) -> list[str]:
    """One to three substances, far enough apart on the plate to give separate spots."""
    chosen: list[str] = []
    for name in rng.permutation(names):
        if len(chosen) == rng.integers(1, 4):
            break
        if all(abs(scenario.listed(name) - scenario.listed(c)) > 2 * resolution for c in chosen):
            chosen.append(str(name))
    return chosen


def _score(
    scenario: Scenario,
    truth: str,
    spot: SpotIdentification,
    references: list[str],
    visualisations: tuple[str, ...],
    tally: Tally,
) -> None:
    tally.cases += 1
    verdict = spot.verdict
    top = spot.top.substance if spot.top is not None else None
    resolution = scenario.library.systems[scenario.system].resolution.min_delta_hrf
    nearest = _nearest_lookalike(scenario, truth, references, visualisations)
    if nearest >= resolution + BORDERLINE:
        key = "cospotted" if truth in references else "library" if references else "bare"
        tally.top1[key].append(top == truth)
        tally.cannot_tell_false.append(verdict is Verdict.CANNOT_TELL_APART)
    elif nearest < resolution - BORDERLINE:
        tally.cannot_tell_recall.append(
            verdict is Verdict.CANNOT_TELL_APART and truth in spot.indistinguishable
        )
    tally.false_unknown.append(verdict is Verdict.UNKNOWN)
    if spot.top is not None:
        tally.top_scores.append((spot.top.score, top == truth))
    if verdict.confident and top != truth:
        alarming = scenario.library.substances
        if alarming[truth].alarming or (top is not None and alarming[top].alarming):
            tally.confident_wrong_opioid += 1


def _nearest_lookalike(
    scenario: Scenario, truth: str, references: list[str], visualisations: tuple[str, ...]
) -> float:
    """Listed hRf distance to the nearest substance no photographed behaviour tells apart."""

    def known(name: str, vis: str) -> str | None:
        if name in references:
            return scenario.behaviour[name][vis]
        recorded = scenario.library.substances[name].visualisation.get(vis)
        return None if recorded is None else recorded.response

    def told_apart(name: str) -> bool:
        return any(
            None not in (known(name, v), known(truth, v)) and known(name, v) != known(truth, v)
            for v in visualisations
        )

    distances = [
        abs(scenario.listed(s.name) - scenario.listed(truth))
        for s in scenario.substances
        if s.name != truth and not told_apart(s.name)
    ]
    return min(distances, default=float("inf"))


def _rendered(
    rng: np.random.Generator, lanes: list[list[SpotSpec]], visualisation: str
) -> PlateAnalysis:
    """Photograph the plate with the synthetic renderer and read the photo back.

    The origin carries a pencil tick under every lane, as labs mark application points: without
    them a lane whose substance is invisible in a photo can only be placed by guesswork.
    """
    from labsys.tlc import analyse_plate, synthetic

    pitch = 8.0
    stain = visualisation not in ("uv254", "uv366")
    spec = synthetic.PlateSpec(
        width_mm=pitch * (len(lanes) + 1),
        lanes=tuple(
            synthetic.LaneSpec(
                x_mm=pitch * (i + 1),
                spots=tuple(
                    synthetic.SpotSpec(
                        rf=spot.hrf / 100.0,
                        appearance=spot.appearance,
                        colour=_render_colour(spot, visualisation),
                    )
                    for spot in spots
                ),
            )
            for i, spots in enumerate(lanes)
        ),
        visualisation="stain_iodoplatinate" if stain else visualisation,
        origin_mark="line_ticks",
    )
    photo = synthetic.render_plate(spec, rng, megapixels=2)
    return analyse_plate(photo.jpeg_bytes, lanes=len(lanes))


def _render_colour(spot: SpotSpec, visualisation: str) -> tuple[float, float, float]:
    if spot.appearance == "bright":
        return (0.35, 0.55, 1.0)
    if visualisation == "uv254":
        return (0.16, 0.12, 0.3)
    red, green, blue = spot.colour
    return (red / 255, green / 255, blue / 255)


def _appearance(response: str) -> str:
    return "bright" if response == "bright" else "dark"


def _merge(total: Tally, part: Tally) -> None:
    total.cases += part.cases
    for key in total.top1:
        total.top1[key] += part.top1[key]
    total.cannot_tell_recall += part.cannot_tell_recall
    total.cannot_tell_false += part.cannot_tell_false
    total.false_unknown += part.false_unknown
    total.confident_wrong_opioid += part.confident_wrong_opioid
    total.refused_photos += part.refused_photos
    total.top_scores += part.top_scores


def _calibration(scores: list[tuple[float, bool]]) -> str:
    """Share of right top candidates per score band: a calibrated score matches its band."""
    bands = ((0.0, 0.6), (0.6, 0.9), (0.9, 0.99), (0.99, 1.01))
    parts = []
    for low, high in bands:
        outcomes = [right for score, right in scores if low <= score < high]
        parts.append(f"{low:.2f}-{min(high, 1):.2f}: {_rate(outcomes)} right (n={len(outcomes)})")
    return "; ".join(parts)


def _rate(outcomes: list[bool]) -> str:
    return "n/a" if not outcomes else f"{sum(outcomes) / len(outcomes):.3f}"


if __name__ == "__main__":
    sys.exit(main())
