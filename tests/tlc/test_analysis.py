"""analyse_plate end to end on drawn photos: results, empty plates, refusals, hints, bad bytes."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from PIL import Image
from skimage import draw

from labsys.errors import ImageError, PlateNotFound
from labsys.tlc import analyse_plate
from labsys.tlc.analysis import ALGORITHM_VERSION, mark_scale
from labsys.tlc.results import PlateLine
from labsys.tlc.synthetic import render_unusable
from tests.tlc.drawn_plates import (
    DrawnSpot,
    photograph,
    render_drawn_plate,
    rfs,
    standard_plate,
)


def _jpeg(photo: np.ndarray, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=85, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return photograph(render_drawn_plate(standard_plate()), angle=-5, tilt=0.06)[0]


def test_jpeg_bytes_to_rf(photo: np.ndarray) -> None:
    analysis = analyse_plate(_jpeg(photo))
    assert [len(lane.spots) for lane in analysis.lanes] == [1, 2, 1]
    assert analysis.origin.source == analysis.front.source == "line"
    assert analysis.background == "uv254"
    assert analysis.algorithm_version == ALGORITHM_VERSION
    assert analysis.corners.shape == (4, 2)
    summary = analysis.to_dict()
    assert [round(s["rf"], 2) for s in summary["lanes"][1]["spots"]] == [0.3, 0.36]


def test_exif_rotated_jpeg_is_turned_upright(photo: np.ndarray) -> None:
    exif = Image.Exif()
    exif[0x0112] = 8  # stored turned 90° clockwise; display rotates it back
    stored = np.ascontiguousarray(np.rot90(photo, k=-1))
    analysis = analyse_plate(_jpeg(stored, exif=exif.tobytes()))
    assert [len(lane.spots) for lane in analysis.lanes] == [1, 2, 1]
    assert analysis.corners[:, 0].max() < photo.shape[1]


def test_developed_plate_without_spots_is_an_empty_result() -> None:
    photo, _ = photograph(render_drawn_plate(standard_plate(spots=[])))
    assert analyse_plate(photo).lanes == []
    lanes = analyse_plate(photo, lanes=3).lanes
    assert [lane.spots for lane in lanes] == [[], [], []]


def test_blank_plate_is_refused() -> None:
    blank = standard_plate(spots=[], origin_line=False, front_line=False)
    photo, _ = photograph(render_drawn_plate(blank))
    with pytest.raises(PlateNotFound, match="origin"):
        analyse_plate(photo)


def test_no_plate_is_refused() -> None:
    with pytest.raises(PlateNotFound, match="No TLC plate"):
        analyse_plate(np.full((500, 700, 3), 90, np.uint8))


def test_photo_cropped_to_the_plate_is_read() -> None:
    """No surroundings to find the plate against: the frame is the plate's edge."""
    cropped = (render_drawn_plate(standard_plate()) * 255).astype(np.uint8)
    analysis = analyse_plate(cropped, lanes=3)
    assert rfs(analysis) == [[0.4], [0.3, 0.36], [0.7]]
    assert np.allclose(analysis.corners[2], [cropped.shape[1] - 1, cropped.shape[0] - 1])


def test_cropped_blank_plate_is_refused_for_its_missing_lines() -> None:
    blank = standard_plate(spots=[], origin_line=False, front_line=False)
    cropped = (render_drawn_plate(blank) * 255).astype(np.uint8)
    with pytest.raises(PlateNotFound):
        analyse_plate(cropped)


@pytest.mark.parametrize(
    ("kind", "seed"), [("no_front", [21, 1_000_001, 2]), ("blank_plate", [21, 1_000_003, 8])]
)
def test_plate_rims_on_a_dark_surround_are_no_lines(kind: str, seed: list[int]) -> None:
    """Unusable plates that run close to the photo's edge on a dark bench: read within the whole
    frame, their rims would pass for an origin and a front."""
    photo = render_unusable(kind, np.random.default_rng(seed))
    with pytest.raises(PlateNotFound):
        analyse_plate(photo.jpeg_bytes)


@pytest.mark.parametrize("index", [4, 7])
def test_a_background_is_not_a_cropped_plate(index: int) -> None:
    """Photos of no plate whose texture mimics edge ticks: read within the whole frame, the ticks
    would pass for an origin and a front, so the frame counts only when pencil lines cross it."""
    photo = render_unusable("no_plate", np.random.default_rng([21, 1_000_000, index]))
    with pytest.raises(PlateNotFound, match="No TLC plate"):
        analyse_plate(photo.jpeg_bytes)


def test_lane_count_is_honoured(photo: np.ndarray) -> None:
    for count in (1, 3, 5):
        assert len(analyse_plate(photo, lanes=count).lanes) == count


def test_hints_override_what_is_found(photo: np.ndarray) -> None:
    found = analyse_plate(photo)
    hinted = analyse_plate(
        photo,
        corners=found.corners[::-1],
        origin_y=found.origin.y + 3,
        front_y=found.front.y,
        lane_centres=[lane.centre_x for lane in found.lanes[:2]],
    )
    assert np.allclose(hinted.corners, found.corners)
    assert hinted.origin.source == "hint" and hinted.front.source == "hint"
    assert len(hinted.lanes) == 2
    assert hinted.lanes[0].spots[0].rf > found.lanes[0].spots[0].rf


def test_faint_spot_below_visibility_is_not_reported() -> None:
    spots = [DrawnSpot(lane=0, rf=0.5, strength=0.02), DrawnSpot(lane=1, rf=0.5)]
    photo, _ = photograph(render_drawn_plate(standard_plate(spots=spots)))
    assert [len(lane.spots) for lane in analyse_plate(photo, lanes=3).lanes] == [0, 1, 0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_faint_spot_on_a_grainy_layer_is_found(seed: int) -> None:
    """A spot at the edge of visibility (contrast 0.05) on a layer whose grain hides its peak
    pixel by pixel stands out once averaged over its size; the empty lane stays empty. (At this
    contrast some grain patterns still hide it: the test shows the gain, not a guarantee.)"""
    spots = [DrawnSpot(lane=0, rf=0.5, strength=0.08, radius=12), DrawnSpot(lane=1, rf=0.5)]
    plate = standard_plate(spots=spots, grain=0.06)
    photo, _ = photograph(render_drawn_plate(plate, np.random.default_rng(seed)))
    found = analyse_plate(photo, lanes=3)
    assert [len(lane.spots) for lane in found.lanes] == [1, 1, 0]
    assert found.lanes[0].spots[0].rf == pytest.approx(0.5, abs=0.02)


def test_mutated_bytes_raise_only_image_errors(photo: np.ndarray) -> None:
    rng = np.random.default_rng(4)
    small = np.asarray(Image.fromarray(photo).resize((300, 233)))
    original = np.frombuffer(_jpeg(small), np.uint8)
    for _ in range(25):
        data = original.copy()
        positions = rng.integers(0, len(data), rng.integers(1, 20))
        data[positions] = rng.integers(0, 256, len(positions))
        cut = len(data) if rng.random() < 0.5 else int(rng.integers(1, len(data)))
        with contextlib.suppress(ImageError):
            analyse_plate(data[:cut].tobytes())


def _score_rendered(seed: int, visualisation: str) -> tuple[int, int, int, list[float]]:
    """(visible true spots, hits, false spots, Rf errors) for one rendered plate."""
    from scipy.optimize import linear_sum_assignment

    from labsys.tlc.synthetic import random_plate_spec, render_plate

    rng = np.random.default_rng(seed)
    spec = random_plate_spec(rng, visualisation=visualisation)
    rendered = render_plate(spec, rng, megapixels=1.2)
    analysis = analyse_plate(rendered.jpeg_bytes, lanes=len(spec.lanes))
    visible = hits = false = 0
    errors: list[float] = []
    for truth, lane in zip(rendered.truth.lanes, analysis.lanes, strict=True):
        true_rf = np.array([spot.rf for spot in truth.spots])
        seen = np.array([spot.visible for spot in truth.spots], dtype=bool)
        found = np.array([spot.rf for spot in lane.spots])
        visible += int(seen.sum())
        matched = set()
        if len(true_rf) and len(found):
            distance = np.abs(true_rf[:, None] - found[None, :])
            rows, cols = linear_sum_assignment(np.where(distance <= 0.05, distance, 10.0))
            for t, f in zip(rows, cols, strict=True):
                if distance[t, f] <= 0.05:
                    matched.add(f)
                    if seen[t]:
                        hits += 1
                        errors.append(float(distance[t, f]))
        false += len(found) - len(matched)
    return visible, hits, false, errors


def test_rendered_plates_accuracy() -> None:
    """A handful of realistic rendered photos (seeds unrelated to the benchmark's): a regression in
    any step shows up as lost spots, false spots or Rf error."""
    cases = [(seed, kind) for seed in (101, 102) for kind in ("uv254", "stain_iodoplatinate")]
    cases += [(103, "daylight_coloured"), (104, "uv366")]
    totals = np.zeros(3)
    errors: list[float] = []
    for seed, kind in cases:
        visible, hits, false, plate_errors = _score_rendered(seed, kind)
        totals += (visible, hits, false)
        errors += plate_errors
    visible, hits, false = totals
    print(f"recall={hits / visible:.3f} precision={hits / max(1, hits + false):.3f}")
    assert hits / visible >= 0.75
    assert hits / max(1, hits + false) >= 0.9
    assert np.mean(errors) <= 0.006


def test_marks_on_a_20_cm_plate_are_sized_in_millimetres() -> None:
    """A 10 x 20 cm plate: its origin 1.25 cm above the bottom edge says the plate is twice as
    long as 10 cm, so spots 2 mm wide are not taken for pencil strokes."""
    spots = [DrawnSpot(lane=lane, rf=0.5, radius=3.0, strength=0.6) for lane in range(3)]
    tall = standard_plate(width=400, height=800, origin_y=750.0, front_y=40.0, spots=spots)
    photo, _ = photograph(render_drawn_plate(tall), size=(1100, 800), angle=3, scale=1.0)
    assert rfs(analyse_plate(photo, lanes=3)) == [[0.5], [0.5], [0.5]]


def test_mark_scale_follows_the_origin_only_on_long_plates() -> None:
    low = PlateLine(y=750.0, source="line", x_centre=200.0)
    assert mark_scale((800, 400), low) == pytest.approx(400.0)
    usual = PlateLine(y=700.0, source="line", x_centre=400.0)
    assert mark_scale((800, 800), usual) == 800.0
    assert mark_scale((800, 400), PlateLine(y=790.0, source="line")) == 400.0


def test_one_ring_on_a_plate_of_spots_does_not_hide_them() -> None:
    """A stray pencil loop (or a stain's dark rim taken for one) on a plate whose spots are plain
    to see: the plate was not circled, so its spots are the blobs."""
    plate = standard_plate()
    image = render_drawn_plate(plate)
    centre_x, centre_y = plate.centres()[2], plate.spot_y(0.3)
    for radius in np.arange(14.0, 17.0, 0.5):
        rows, cols = draw.circle_perimeter(round(centre_y), round(centre_x), round(radius))
        image[rows, cols] = 0.45 * np.array(plate.layer)
    photo, _ = photograph(image, angle=3)
    assert rfs(analyse_plate(photo, lanes=3)) == [[0.4], [0.3, 0.36], [0.7]]
