"""How well does plate analysis read synthetic phone photos? Recall, precision, Rf error, speed.

Run from the repository root::

    .venv/bin/python benchmarks/plate_accuracy.py                # 100 plates + speed + refusals
    .venv/bin/python benchmarks/plate_accuracy.py --plates 300 --out /tmp/failures

Each plate is drawn by :mod:`labsys.tlc.synthetic` (random layout, visualisation, background,
lighting, tilt, 1-12 MP, JPEG with EXIF orientation), passed as JPEG bytes to
``labsys.tlc.analyse_plate(jpeg, lanes=<true lane count>)``, and the spots it reports are
matched to the true spots lane by lane (Hungarian assignment, within 0.05 Rf).

Scoring
-------
- recall: matched visible true spots / visible true spots. Invisible true spots (too faint
  for a person, merged into a neighbour, not circled) are not required.
- precision: matched / (matched + unmatched found spots). A found spot matched to an
  invisible true spot is neither a hit nor a false positive.
- rf_mae, rf_p95: absolute Rf error of matched visible spots.
- lanes_ok: fraction of plates whose lane count is right.
- median_s: median wall time of one ``analyse_plate`` call on the 12 MP speed subset, in this
  process on one core (BLAS/OpenMP threads are pinned to 1 before NumPy loads).
- peak_rss_mb: peak resident memory of this process (rendering included).
- Unusable photos (no plate, no front, no origin, blank plate) must raise
  ``labsys.errors.PlateNotFound`` or ``ImageError``; refusals are counted separately.

Seed policy
-----------
The default seed (``HELD_OUT_SEED``) is a held-out set: it is never used by any test, and the
analyser's author must not tune on it (nor on nearby seeds: plate ``i`` uses
``numpy.random.default_rng([seed, i])``). Develop and tune on seeds below 1000.

The last line printed is always
``plates=N recall=R precision=P rf_mae=M rf_p95=Q lanes_ok=F median_s=S peak_rss_mb=MB``.
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # one core, as on the lab's laptop; not forced on importers
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_variable] = "1"

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from labsys.errors import ImageError
from labsys.tlc.results import PlateAnalysis
from labsys.tlc.synthetic import (
    UNUSABLE_KINDS,
    PlateTruth,
    RenderedPlate,
    random_megapixels,
    random_plate_spec,
    render_plate,
    render_unusable,
)

HELD_OUT_SEED = 7_400_000
RF_TOLERANCE = 0.05
SPEED_MEGAPIXELS = 12.0
_CATEGORY = {
    "uv254": "uv254",
    "uv366": "uv366",
    "stain_iodoplatinate": "stain",
    "daylight_pencil_circled": "pencil-circled",
    "daylight_coloured": "dye-daylight",
}
# Matching a found spot to an invisible true spot costs a little more than to a visible one at
# the same distance, so an ambiguous found spot is credited to the spot a person can see.
_INVISIBLE_PENALTY = 0.01
_NO_MATCH = 1e6

Analyse = Callable[..., PlateAnalysis]


@dataclass
class PlateScore:
    """One plate's outcome.

    Attributes
    ----------
    category
        Visualisation, in short.
    visible
        Visible true spots.
    hits
        Found spots matched to visible true spots.
    false_positives
        Found spots matched to no true spot.
    rf_errors
        Absolute Rf error of each hit.
    lanes_ok
        Right number of lanes found.
    refused
        The analyser refused this usable photo.
    crash
        What the analyser raised if it failed with anything but a refusal ("" otherwise); the
        plate scores as nothing found and the benchmark goes on.
    seconds
        Wall time of the analyser call.
    cpu_seconds
        CPU time of this process during the call (tells a slow analyser from a busy machine).
    megapixels
        Photo size.
    """

    category: str
    visible: int
    hits: int = 0
    false_positives: int = 0
    rf_errors: list[float] = field(default_factory=list)
    lanes_ok: bool = False
    refused: bool = False
    crash: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    megapixels: float = 0.0


@dataclass(frozen=True)
class Summary:
    """Scores over a set of plates (NaN where there is nothing to measure)."""

    plates: int
    recall: float
    precision: float
    rf_mae: float
    rf_p95: float
    lanes_ok: float
    median_s: float


def match_spots(
    true_rfs: Sequence[float],
    true_visible: Sequence[bool],
    found_rfs: Sequence[float],
    tolerance: float = RF_TOLERANCE,
) -> tuple[list[tuple[int, int]], list[int]]:
    """Pair found spots with true spots of one lane (Hungarian assignment within ``tolerance``).

    Parameters
    ----------
    true_rfs, true_visible
        The lane's true spots and whether a person could see each.
    found_rfs
        Rf of each spot the analyser reported in that lane.
    tolerance
        Largest Rf difference that still counts as the same spot.

    Returns
    -------
    pairs, unmatched
        ``(true index, found index)`` pairs, and found indices matched to nothing (false
        positives).
    """
    if not found_rfs:
        return [], []
    if not true_rfs:
        return [], list(range(len(found_rfs)))
    true = np.asarray(true_rfs, dtype=float)[:, None]
    found = np.asarray(found_rfs, dtype=float)[None, :]
    distance = np.abs(true - found)
    penalty = np.where(np.asarray(true_visible, dtype=bool), 0.0, _INVISIBLE_PENALTY)[:, None]
    cost = np.where(distance <= tolerance, distance + penalty, _NO_MATCH)
    rows, cols = linear_sum_assignment(cost)
    pairs = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] < _NO_MATCH]
    matched = {c for _, c in pairs}
    return pairs, [c for c in range(len(found_rfs)) if c not in matched]


def match_lanes(truth: PlateTruth, analysis: PlateAnalysis) -> list[tuple[int, int]]:
    """Pair found lanes with true lanes.

    With the right count, lanes pair in order (both are left to right). Otherwise they pair by
    position across the plate (found centre over rectified width against true centre over plate
    width), no further apart than half the closest true lane spacing.
    """
    n_true, n_found = len(truth.lanes), len(analysis.lanes)
    if n_true == n_found:
        return [(i, i) for i in range(n_true)]
    if not n_true or not n_found:
        return []
    width_px = float(np.asarray(analysis.rectified).shape[1]) or 1.0
    true_x = np.array([lane.x_mm / truth.size_mm[0] for lane in truth.lanes])
    found_x = np.array([lane.centre_x / width_px for lane in analysis.lanes])
    pitch = float(np.min(np.diff(np.sort(true_x)))) if n_true > 1 else 1.0
    cost = np.abs(true_x[:, None] - found_x[None, :])
    cost = np.where(cost <= pitch / 2, cost, _NO_MATCH)
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] < _NO_MATCH]


def score_plate(truth: PlateTruth, analysis: PlateAnalysis, category: str = "") -> PlateScore:
    """Compare one analysis with the truth (see the module docstring for the rules)."""
    visible = sum(spot.visible for spot in truth.spots)
    score = PlateScore(category, visible, lanes_ok=len(analysis.lanes) == len(truth.lanes))
    lane_pairs = match_lanes(truth, analysis)
    paired_found = {found for _, found in lane_pairs}
    for true_index, found_index in lane_pairs:
        true_spots = truth.lanes[true_index].spots
        found_spots = analysis.lanes[found_index].spots
        pairs, unmatched = match_spots(
            [spot.rf for spot in true_spots],
            [spot.visible for spot in true_spots],
            [spot.rf for spot in found_spots],
        )
        for t, f in pairs:
            if true_spots[t].visible:
                score.hits += 1
                score.rf_errors.append(abs(true_spots[t].rf - found_spots[f].rf))
        score.false_positives += len(unmatched)
    score.false_positives += sum(
        len(lane.spots) for i, lane in enumerate(analysis.lanes) if i not in paired_found
    )
    return score


def summarise(scores: Iterable[PlateScore], timed: Iterable[PlateScore] | None = None) -> Summary:
    """Pool plate scores into the headline figures; ``timed`` (default: all) gives median_s."""
    scores = list(scores)
    timed = scores if timed is None else list(timed)
    visible = sum(s.visible for s in scores)
    hits = sum(s.hits for s in scores)
    found = hits + sum(s.false_positives for s in scores)
    errors = np.array([e for s in scores for e in s.rf_errors], dtype=float)
    return Summary(
        plates=len(scores),
        recall=hits / visible if visible else float("nan"),
        precision=hits / found if found else float("nan"),
        rf_mae=float(errors.mean()) if errors.size else float("nan"),
        rf_p95=float(np.percentile(errors, 95)) if errors.size else float("nan"),
        lanes_ok=float(np.mean([s.lanes_ok for s in scores])) if scores else float("nan"),
        median_s=float(np.median([s.seconds for s in timed])) if timed else float("nan"),
    )


def render_benchmark_plate(seed: int, index: int, megapixels: float | None) -> RenderedPlate:
    """Plate ``index`` of the set ``seed``: the same photo on every machine."""
    rng = np.random.default_rng([seed, index])
    spec = random_plate_spec(rng)
    return render_plate(spec, rng, megapixels=megapixels or random_megapixels(rng))


def run_plate(analyse: Analyse, rendered: RenderedPlate) -> tuple[PlateScore, PlateAnalysis | None]:
    """Analyse one rendered photo and score it; a refusal scores as nothing found."""
    category = _CATEGORY[rendered.spec.visualisation]
    megapixels = rendered.image.shape[0] * rendered.image.shape[1] / 1e6
    started, started_cpu = time.perf_counter(), time.process_time()
    visible = sum(spot.visible for spot in rendered.truth.spots)
    analysis: PlateAnalysis | None = None
    crash, refused = "", False
    try:
        analysis = analyse(rendered.jpeg_bytes, lanes=len(rendered.truth.lanes))
    except ImageError:
        refused = True
    except Exception as error:  # a bug in the analyser must not stop the benchmark
        crash = f"{type(error).__name__}: {error}"
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - started_cpu
    if analysis is None:
        score = PlateScore(category, visible, refused=refused, crash=crash)
    else:
        score = score_plate(rendered.truth, analysis, category)
    score.seconds, score.cpu_seconds, score.megapixels = seconds, cpu_seconds, megapixels
    return score, analysis


def run_unusable(analyse: Analyse, seed: int, per_kind: int) -> dict[str, tuple[int, int]]:
    """(refused, total) per unusable kind; anything but a refusal counts as not refused."""
    outcome: dict[str, tuple[int, int]] = {}
    for k, kind in enumerate(UNUSABLE_KINDS):
        refused = 0
        for i in range(per_kind):
            photo = render_unusable(kind, np.random.default_rng([seed, 1_000_000 + k, i]))
            try:
                analyse(photo.jpeg_bytes, lanes=None)
            except ImageError:
                refused += 1
            except Exception as error:  # not a refusal; report it and go on
                print(f"unusable {kind} {i}: crashed with {type(error).__name__}: {error}")
        outcome[kind] = (refused, per_kind)
    return outcome


def save_case(
    out: Path, name: str, rendered: RenderedPlate, analysis: PlateAnalysis | None
) -> None:
    """Keep a failing case: the photo, the truth and what the analyser said."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.jpg").write_bytes(rendered.jpeg_bytes)
    truth = {
        "visualisation": rendered.spec.visualisation,
        "corners": rendered.truth.corners.round(1).tolist(),
        "lanes": [
            {
                "x_mm": lane.x_mm,
                "spots": [
                    {"rf": round(s.rf, 4), "visible": s.visible, "contrast": s.contrast}
                    for s in lane.spots
                ],
            }
            for lane in rendered.truth.lanes
        ],
    }
    report = {"truth": truth, "analysis": analysis.to_dict() if analysis else "refused or crashed"}
    (out / f"{name}.json").write_text(json.dumps(report, indent=1))


def headline(summary: Summary, peak_rss_mb: float) -> str:
    """The benchmark's last line, ``key=value`` pairs in a fixed order."""
    return (
        f"plates={summary.plates} recall={summary.recall:.3f} precision={summary.precision:.3f} "
        f"rf_mae={summary.rf_mae:.4f} rf_p95={summary.rf_p95:.4f} "
        f"lanes_ok={summary.lanes_ok:.3f} median_s={summary.median_s:.2f} "
        f"peak_rss_mb={peak_rss_mb:.0f}"
    )


def _load_analyser() -> Analyse:
    """``labsys.tlc.analyse_plate``, or exit with a message saying it is not there yet."""
    try:
        from labsys.tlc import analyse_plate
    except ImportError as error:
        sys.exit(f"plate_accuracy: labsys.tlc.analyse_plate is not available yet ({error}).")
    return analyse_plate


def _print_table(scores: list[PlateScore]) -> None:
    """Per-category lines a person can read."""
    print(
        f"{'category':<16}{'plates':>7}{'visible':>8}{'recall':>8}{'prec.':>8}{'rf_mae':>8}"
        f"{'lanes':>7}{'refused':>8}{'med_s':>7}"
    )
    groups: dict[str, list[PlateScore]] = {}
    for score in scores:
        groups.setdefault(score.category, []).append(score)
    for name in [*sorted(groups), "all"]:
        group = scores if name == "all" else groups[name]
        s = summarise(group)
        print(
            f"{name:<16}{s.plates:>7}{sum(g.visible for g in group):>8}{s.recall:>8.3f}"
            f"{s.precision:>8.3f}{s.rf_mae:>8.4f}{s.lanes_ok:>7.2f}"
            f"{sum(g.refused for g in group):>8}{s.median_s:>7.2f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Render, analyse, score, print; the last line is the headline."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plates", type=int, default=100, help="plates in the accuracy set")
    parser.add_argument(
        "--seed", type=int, default=HELD_OUT_SEED, help="held out: never tune on it"
    )
    parser.add_argument(
        "--megapixels", type=float, default=None, help="photo size (default: a 1-12 MP mix)"
    )
    parser.add_argument("--speed-plates", type=int, default=10, help="12 MP plates timed")
    parser.add_argument("--unusable-per-kind", type=int, default=5, help="photos per kind")
    parser.add_argument("--out", type=Path, default=None, help="save failing cases here")
    args = parser.parse_args(argv)
    analyse = _load_analyser()

    scores: list[PlateScore] = []
    for index in range(args.plates):
        rendered = render_benchmark_plate(args.seed, index, args.megapixels)
        score, analysis = run_plate(analyse, rendered)
        scores.append(score)
        failed = score.refused or score.crash or score.hits < score.visible
        failed = failed or score.false_positives > 0
        if args.out and failed:
            save_case(args.out, f"plate_{index:04d}", rendered, analysis)
    timed = [
        run_plate(analyse, render_benchmark_plate(args.seed + 1, i, SPEED_MEGAPIXELS))[0]
        for i in range(args.speed_plates)
    ]
    refusals = run_unusable(analyse, args.seed, args.unusable_per_kind)

    _print_table(scores)
    for index, score in enumerate(scores):
        if score.crash:
            print(f"plate {index} crashed the analyser: {score.crash}")
    speed = summarise(timed) if timed else None
    if speed:
        print(
            f"12 MP subset: {speed.plates} plates, recall {speed.recall:.3f}, "
            f"median {speed.median_s:.2f} s, max {max(s.seconds for s in timed):.2f} s, "
            f"median CPU {np.median([s.cpu_seconds for s in timed]):.2f} s"
        )
    refused = sum(r for r, _ in refusals.values())
    total = sum(t for _, t in refusals.values())
    detail = ", ".join(f"{kind} {r}/{t}" for kind, (r, t) in refusals.items())
    print(f"unusable photos refused: {refused}/{total} ({detail})")
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(headline(summarise(scores, timed or None), peak_rss_mb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
