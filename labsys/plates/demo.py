"""A demo plate: a sample beside the four TA reference compounds, photographed and analysed.

The photo is rendered by :mod:`labsys.tlc.synthetic`; the references run at the hRf values
Clarke's lists for system TA (atropine 18, codeine 33, chlorprothixene 56, diazepam 75), and the
sample shows one spot where codeine runs, so the pages have something true to the library to show.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine

from labsys.auth import Actor
from labsys.db import transaction, utcnow
from labsys.plates.analyses import AnalysisHints, accept_analysis, analyse_photo
from labsys.plates.models import Plate
from labsys.plates.photos import attach_photo
from labsys.plates.service import create_plate, get_plate
from labsys.samples.intake import Intake, register
from labsys.samples.models import Form
from labsys.samples.transitions import move_sample
from labsys.storage.photos import PhotoStore
from labsys.tlc.layout import parse_layout
from labsys.tlc.references import ReferenceLibrary
from labsys.tlc.synthetic import LaneSpec, PlateSpec, SpotSpec, render_plate

REFERENCES = {"atropine": 0.18, "codeine": 0.33, "chlorprothixene": 0.56, "diazepam": 0.75}
"""System TA reference compounds and their listed Rf (Clarke's; see the domain brief)."""

_LANE_X_MM = (8.0, 16.5, 25.0, 33.5, 42.0)


def load_demo_plate(
    engine: Engine, actor: Actor, library: ReferenceLibrary, store: PhotoStore, *, seed: int = 7
) -> Plate:
    """Lay out, photograph (uv254), analyse and accept one demo plate with one new sample."""
    with transaction(engine) as session:
        sample = register(
            session,
            actor,
            Intake(
                sold_as="heroin", form=Form.POWDER, site="Drop-in Gare", received_on=utcnow().date()
            ),
        )
        move_sample(session, actor, sample.code, "queued", expected_version=sample.version)
        layout = parse_layout(
            {
                "plate_id": "Demo TA plate",
                "system": "TA",
                "development_distance_mm": 76,
                "date": utcnow().date(),
                "visualisations": ["uv254"],
                "lanes": [{"index": 0, "sample_code": sample.code}]
                + [
                    {"index": index, "reference": {"substance": name, "amount_ug": 5}}
                    for index, name in enumerate(REFERENCES, start=1)
                ],
            }
        )
        plate = create_plate(session, actor, layout, library)
    spec = PlateSpec(
        lanes=tuple(
            LaneSpec(x_mm=x, spots=(SpotSpec(rf=rf),))
            for x, rf in zip(_LANE_X_MM, (REFERENCES["codeine"], *REFERENCES.values()), strict=True)
        )
    )
    photo = render_plate(
        spec, np.random.default_rng(seed), megapixels=1, exif_orientation=1, jpeg_quality=85
    )
    stored, _ = attach_photo(
        engine,
        actor,
        plate.id,
        "uv254",
        photo.jpeg_bytes,
        expected_version=plate.version,
        store=store,
    )
    analysis = analyse_photo(engine, actor, stored.id, AnalysisHints(), store=store)
    with transaction(engine) as session:
        version = get_plate(session, actor, plate.id).version
        accept_analysis(
            session, actor, stored.id, analysis, AnalysisHints(), expected_version=version
        )
        return get_plate(session, actor, plate.id)
