"""The synthetic plate renderer tells the truth, and the accuracy benchmark scores it right."""

from __future__ import annotations

import importlib.util
import io
import itertools
import re
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image, ImageOps
from skimage.measure import points_in_poly

from labsys.errors import PlateNotFound
from labsys.tlc.results import Lane, PlateAnalysis, PlateLine, Spot
from labsys.tlc.synthetic import (
    UNUSABLE_KINDS,
    VISUALISATIONS,
    LaneSpec,
    PlateTruth,
    RenderedPlate,
    SpotSpec,
    random_plate_spec,
    render_plate,
    render_unusable,
)
from labsys.tlc.synthetic.plate import VISIBLE_CONTRAST

BENCHMARK_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "plate_accuracy.py"


def _load_benchmark() -> ModuleType:
    """benchmarks/ is not a package: load the script as a module by its path."""
    spec = importlib.util.spec_from_file_location("plate_accuracy", BENCHMARK_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["plate_accuracy"] = module
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()


def _render(seed: int, megapixels: float = 0.5, **spec_overrides: object) -> RenderedPlate:
    rng = np.random.default_rng(seed)
    return render_plate(random_plate_spec(rng, **spec_overrides), rng, megapixels=megapixels)


@pytest.fixture(scope="module")
def renders() -> list[RenderedPlate]:
    """One small photo per visualisation (seeds 0-4: development seeds, never the benchmark's)."""
    return [_render(seed, 0.3, visualisation=vis) for seed, vis in enumerate(VISUALISATIONS)]


def test_truth_lies_on_the_plate_and_in_the_frame(renders: list[RenderedPlate]) -> None:
    for rendered in renders:
        truth = rendered.truth
        height, width = rendered.image.shape[:2]
        assert np.all(truth.corners >= 0) and np.all(truth.corners < [width, height])
        spots = truth.spots
        assert spots, "every drawn test plate has spots"
        centres = np.array([[s.x, s.y] for s in spots])
        assert points_in_poly(centres, truth.corners).all()
        for spot in spots:
            assert 0.03 <= spot.rf <= 0.97
            assert 0 <= spot.x_mm <= truth.size_mm[0] and 0 <= spot.y_mm <= truth.size_mm[1]
        # The front is above the origin, both inside the plate.
        assert 0 < truth.front.y_mm < truth.origin.y_mm < truth.size_mm[1]
        xs = [lane.x_mm for lane in truth.lanes]
        assert xs == sorted(xs)


def test_rf_agrees_with_spot_position_and_lines(renders: list[RenderedPlate]) -> None:
    for rendered in renders:
        truth = rendered.truth
        width = truth.size_mm[0]
        for spot in truth.spots:
            origin = truth.origin.y_mm + truth.origin.slope * (spot.x_mm - width / 2)
            front = truth.front.y_mm + truth.front.slope * (spot.x_mm - width / 2)
            assert spot.rf == pytest.approx((origin - spot.y_mm) / (origin - front), abs=1e-6)
            xy = truth.to_photo(np.array([spot.x_mm, spot.y_mm]))[0]
            assert xy == pytest.approx([spot.x, spot.y], abs=1e-6)


def test_visible_flag_follows_contrast(renders: list[RenderedPlate]) -> None:
    for rendered in renders:
        pencil = rendered.spec.visualisation == "daylight_pencil_circled"
        for spot in rendered.truth.spots:
            if spot.visible and not pencil:
                assert spot.contrast >= VISIBLE_CONTRAST


def test_invisible_spot_is_flagged() -> None:
    rng = np.random.default_rng(3)
    spec = random_plate_spec(rng, visualisation="uv254")
    lanes = (
        LaneSpec(x_mm=spec.width_mm / 3, spots=(SpotSpec(rf=0.5, amount=0.005),)),
        LaneSpec(x_mm=2 * spec.width_mm / 3, spots=(SpotSpec(rf=0.5, amount=1.0),)),
    )
    rendered = render_plate(replace(spec, lanes=lanes), rng, megapixels=1.0)
    faint_truth, strong_truth = (lane.spots[0] for lane in rendered.truth.lanes)
    assert not faint_truth.visible
    assert strong_truth.visible


def test_close_pair_without_a_dip_counts_as_one_visible_spot() -> None:
    rng = np.random.default_rng(4)
    spec = random_plate_spec(rng, visualisation="uv254")
    merged = LaneSpec(
        x_mm=spec.width_mm / 2,
        spots=(SpotSpec(rf=0.5, amount=1.0, size_mm=2.5), SpotSpec(rf=0.52, amount=0.4)),
    )
    rendered = render_plate(replace(spec, lanes=(merged,)), rng, megapixels=1.0)
    visible = [spot.visible for spot in rendered.truth.lanes[0].spots]
    assert visible == [True, False]


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_exif_orientation_round_trip(orientation: int) -> None:
    rng = np.random.default_rng(10 + orientation)
    spec = random_plate_spec(rng, visualisation="uv254")
    rendered = render_plate(
        spec, rng, megapixels=0.5, exif_orientation=orientation, background="uv_cabinet"
    )
    with Image.open(io.BytesIO(rendered.jpeg_bytes)) as stored:
        assert stored.getexif()[0x0112] == orientation
        raw = np.asarray(stored.convert("RGB"))
        upright = np.asarray(ImageOps.exif_transpose(stored).convert("RGB"))
    np.testing.assert_array_equal(upright, rendered.image)
    if orientation in (6, 8):
        assert raw.shape[:2] == upright.shape[1::-1]
    # The glowing green plate is where the truth says, and the dark cabinet is outside it.
    centre = rendered.truth.corners.mean(axis=0).round().astype(int)
    inside = upright[centre[1] - 2 : centre[1] + 3, centre[0] - 2 : centre[0] + 3].mean(axis=(0, 1))
    assert inside[1] > 120 and inside[1] > inside[0] and inside[1] > inside[2]
    far = np.array([upright.shape[1], upright.shape[0]]) - 1 - centre
    far = np.clip(far, 0, [upright.shape[1] - 1, upright.shape[0] - 1])
    if not points_in_poly(far[None, :].astype(float), rendered.truth.corners)[0]:
        assert upright[far[1], far[0]].mean() < 80


def test_same_seed_same_photo_other_seed_other_photo() -> None:
    first, again, other = _render(21, 0.5), _render(21, 0.5), _render(22, 0.5)
    assert first.jpeg_bytes == again.jpeg_bytes
    assert first.truth.spots == again.truth.spots
    assert first.jpeg_bytes != other.jpeg_bytes


@pytest.mark.parametrize("kind", UNUSABLE_KINDS)
def test_unusable_kinds_render(kind: str) -> None:
    photo = render_unusable(kind, np.random.default_rng(30), megapixels=0.5)  # type: ignore[arg-type]
    assert photo.kind == kind
    assert photo.image.dtype == np.uint8 and photo.image.ndim == 3
    with Image.open(io.BytesIO(photo.jpeg_bytes)) as decoded:
        upright = np.asarray(ImageOps.exif_transpose(decoded).convert("RGB"))
    np.testing.assert_array_equal(upright, photo.image)


def test_unknown_unusable_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown unusable kind"):
        render_unusable("upside_down", np.random.default_rng(0))  # type: ignore[arg-type]


def test_random_specs_are_varied_and_within_bounds() -> None:
    rng = np.random.default_rng(40)
    specs = [random_plate_spec(rng) for _ in range(120)]
    assert {s.visualisation for s in specs} == set(VISUALISATIONS)
    spots = [spot for s in specs for lane in s.lanes for spot in lane.spots]
    assert all(0.05 <= spot.rf <= 0.95 for spot in spots)
    assert all(1 <= len(s.lanes) <= 8 for s in specs)
    assert all(50 <= s.width_mm <= 100 and 75 <= s.height_mm <= 100 for s in specs)
    assert all(10 <= s.origin_mm <= 15 for s in specs)
    assert any(spot.amount < 0.1 for spot in spots), "some faint spots"
    assert any(spot.amount > 2 for spot in spots), "some overloaded spots"
    assert any(spot.tailing > 0 for spot in spots), "some tailing spots"
    rf_lists = [sorted(spot.rf for spot in lane.spots) for s in specs for lane in s.lanes]
    close = [b - a for rfs in rf_lists for a, b in itertools.pairwise(rfs)]
    assert any(gap <= 0.07 for gap in close), "some pairs only ~0.05 Rf apart"
    assert {s.front_mark for s in specs} == {"line", "ticks"}
    assert {len(lane.spots) for s in specs for lane in s.lanes} == {0, 1, 2, 3, 4}


def test_overrides_are_respected() -> None:
    spec = random_plate_spec(np.random.default_rng(41), visualisation="uv366", n_lanes=3)
    assert spec.visualisation == "uv366" and len(spec.lanes) == 3


# --- the benchmark's matching and metrics --------------------------------------------------


def test_match_spots_is_an_optimal_assignment_within_tolerance() -> None:
    # Greedy nearest-first would pair 0.34 with 0.36 and lose the other; Hungarian keeps both.
    pairs, unmatched = bench.match_spots([0.30, 0.36], [True, True], [0.34, 0.39])
    assert sorted(pairs) == [(0, 0), (1, 1)] and unmatched == []
    pairs, unmatched = bench.match_spots([0.30], [True], [0.36])
    assert pairs == [] and unmatched == [0]
    pairs, unmatched = bench.match_spots([], [], [0.5])
    assert pairs == [] and unmatched == [0]
    assert bench.match_spots([0.5], [True], []) == ([], [])


def test_found_spot_on_an_invisible_spot_is_no_false_positive() -> None:
    pairs, unmatched = bench.match_spots([0.40, 0.60], [True, False], [0.41, 0.61])
    assert sorted(pairs) == [(0, 0), (1, 1)] and unmatched == []
    # With a choice at equal distance, the visible spot gets the credit.
    pairs, _ = bench.match_spots([0.48, 0.52], [False, True], [0.50])
    assert pairs == [(1, 0)]


def _analysis_from_truth(truth: PlateTruth, rf_shift: float = 0.0) -> PlateAnalysis:
    """What a perfect analyser would say (rectified width = plate width in mm, 1 px per mm)."""

    def spot(rf: float) -> Spot:
        return Spot(rf, 0.0, 0.0, 3.0, 3.0, 7.0, 1.0, (0, 0, 0), "dark")

    lanes = [
        Lane(lane.index, lane.x_mm, [spot(s.rf + rf_shift) for s in lane.spots if s.visible])
        for lane in truth.lanes
    ]
    width, height = truth.size_mm
    return PlateAnalysis(
        corners=truth.corners,
        rectified=np.zeros((int(height), int(width), 3)),
        origin=PlateLine(truth.origin.y_mm, "line"),
        front=PlateLine(truth.front.y_mm, "line"),
        lanes=lanes,
    )


def test_a_perfect_analysis_scores_perfectly(renders: list[RenderedPlate]) -> None:
    scores = []
    for rendered in renders:
        score, _ = bench.run_plate(
            lambda jpeg, lanes, truth=rendered.truth: _analysis_from_truth(truth), rendered
        )
        scores.append(score)
    summary = bench.summarise(scores)
    assert summary.recall == 1.0 and summary.precision == 1.0
    assert summary.rf_mae == 0.0 and summary.lanes_ok == 1.0


def test_misses_extras_shifts_and_lane_errors_are_counted(renders: list[RenderedPlate]) -> None:
    truth = renders[0].truth
    analysis = _analysis_from_truth(truth, rf_shift=0.02)
    visible = sum(spot.visible for spot in truth.spots)
    lane = next(lane for lane in analysis.lanes if lane.spots)
    moved = lane.spots.pop()
    lane.spots.append(replace(moved, rf=moved.rf + 0.3 if moved.rf < 0.6 else 0.01))
    score = bench.score_plate(truth, analysis)
    assert score.visible == visible
    assert score.hits == visible - 1 and score.false_positives == 1
    assert np.allclose(score.rf_errors, 0.02)
    # A lane too many: the lane count is wrong and the extra lane's spots are false positives.
    extra = Lane(len(analysis.lanes), truth.size_mm[0] - 0.5, [lane.spots[0]])
    analysis.lanes.append(extra)
    score = bench.score_plate(truth, analysis)
    assert not score.lanes_ok and score.false_positives == 2


def test_a_refused_usable_photo_finds_nothing(renders: list[RenderedPlate]) -> None:
    def refuse(jpeg: bytes, lanes: int | None) -> PlateAnalysis:
        raise PlateNotFound("no plate")

    score, analysis = bench.run_plate(refuse, renders[1])
    assert analysis is None and score.refused and score.hits == 0
    assert bench.summarise([score]).recall == 0.0


def test_an_analyser_crash_is_recorded_not_raised(renders: list[RenderedPlate]) -> None:
    def crash(jpeg: bytes, lanes: int | None) -> PlateAnalysis:
        raise ZeroDivisionError("bug")

    score, analysis = bench.run_plate(crash, renders[2])
    assert analysis is None and score.crash == "ZeroDivisionError: bug" and score.hits == 0


def test_headline_is_the_agreed_key_value_line() -> None:
    summary = bench.Summary(100, 0.9, 0.8, 0.01, 0.03, 1.0, 1.5)
    line = bench.headline(summary, 512.0)
    keys = ["plates", "recall", "precision", "rf_mae", "rf_p95", "lanes_ok", "median_s"]
    keys.append("peak_rss_mb")
    assert re.fullmatch(" ".join(f"{key}=[0-9.]+" for key in keys), line)
