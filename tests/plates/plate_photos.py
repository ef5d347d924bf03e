"""A small rendered plate, and a plate in the database laid out, photographed or accepted, shared
by plate, result and page tests."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
from sqlalchemy import Engine

from labsys.auth import Actor
from labsys.db import transaction
from labsys.plates.analyses import AnalysisHints, accept_analysis, analyse_photo
from labsys.plates.models import Plate, PlatePhoto
from labsys.plates.photos import attach_photo
from labsys.plates.service import create_plate, get_plate
from labsys.samples import Intake, Sample, move_sample, register
from labsys.storage.photos import PhotoStore
from labsys.tlc.layout import parse_layout
from labsys.tlc.references import ReferenceLibrary, load_library
from labsys.tlc.synthetic import LaneSpec, PlateSpec, SpotSpec, render_plate


@cache
def library() -> ReferenceLibrary:
    """The project's reference library (read once)."""
    return load_library()


@cache
def plate_jpeg(seed: int = 1) -> bytes:
    """A ~1 MP UV 254 photo: a sample with two spots beside codeine and chlorprothixene (TA)."""
    spec = PlateSpec(
        lanes=(
            LaneSpec(x_mm=12, spots=(SpotSpec(rf=0.33), SpotSpec(rf=0.56))),
            LaneSpec(x_mm=25, spots=(SpotSpec(rf=0.33),)),
            LaneSpec(x_mm=38, spots=(SpotSpec(rf=0.56),)),
        )
    )
    rendered = render_plate(
        spec, np.random.default_rng(seed), megapixels=1, exif_orientation=1, jpeg_quality=85
    )
    return rendered.jpeg_bytes


def queued_sample(engine: Engine, actor: Actor, sold_as: str = "codeine") -> Sample:
    """A new sample, moved to the queue."""
    with transaction(engine) as session:
        sample = register(
            session,
            actor,
            Intake(sold_as=sold_as, form="powder", site="Gare", received_on=date.today()),
        )
        return move_sample(session, actor, sample.code, "queued", expected_version=sample.version)


def layout_data(sample_code: str) -> dict[str, object]:
    """The layout of :func:`plate_jpeg`: the sample in lane 0, two TA references."""
    return {
        "plate_id": "TA plate 1",
        "system": "TA",
        "development_distance_mm": 76,
        "date": date.today().isoformat(),
        "visualisations": ["uv254"],
        "lanes": [
            {"index": 0, "sample_code": sample_code},
            {"index": 1, "reference": {"substance": "codeine", "amount_ug": 5}},
            {"index": 2, "reference": {"substance": "chlorprothixene", "amount_ug": 5}},
        ],
    }


def laid_out_plate(engine: Engine, actor: Actor) -> tuple[Plate, Sample]:
    """A plate in the database holding one queued sample and two references."""
    sample = queued_sample(engine, actor)
    with transaction(engine) as session:
        plate = create_plate(session, actor, parse_layout(layout_data(sample.code)), library())
    return plate, sample


def photograph(engine: Engine, actor: Actor, store: PhotoStore, plate: Plate) -> PlatePhoto:
    """Attach :func:`plate_jpeg` to ``plate`` (as it was read) as its uv254 photo."""
    photo, _ = attach_photo(
        engine,
        actor,
        plate.id,
        "uv254",
        plate_jpeg(),
        expected_version=plate.version,
        store=store,
    )
    return photo


def accepted_plate(engine: Engine, actor: Actor, store: PhotoStore) -> tuple[Plate, Sample]:
    """A :func:`laid_out_plate` photographed, analysed without hints and its analysis accepted."""
    plate, sample = laid_out_plate(engine, actor)
    photo = photograph(engine, actor, store, plate)
    analysis = analyse_photo(engine, actor, photo.id, AnalysisHints(), store=store)
    with transaction(engine) as session:
        version = get_plate(session, actor, plate.id).version
        accept_analysis(
            session, actor, photo.id, analysis, AnalysisHints(), expected_version=version
        )
    return plate, sample
