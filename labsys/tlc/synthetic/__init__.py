"""Synthetic phone photos of TLC plates with exact ground truth, for tests, demos and benchmarks.

Describe a plate (or draw a realistic one at random), then photograph it::

    rng = np.random.default_rng(7)
    spec = random_plate_spec(rng, visualisation="uv254")
    photo = render_plate(spec, rng, megapixels=3)
    photo.jpeg_bytes                       # what a phone would upload
    [s.rf for s in photo.truth.spots if s.visible]

Photos analysis must refuse come from :func:`render_unusable`.
"""

from labsys.tlc.synthetic.camera import BACKGROUNDS, Background, Shot
from labsys.tlc.synthetic.render import (
    UNUSABLE_KINDS,
    LaneTruth,
    LineTruth,
    PlateTruth,
    RenderedPlate,
    SpotTruth,
    UnusableKind,
    UnusablePhoto,
    random_megapixels,
    read_upright,
    render_plate,
    render_unusable,
)
from labsys.tlc.synthetic.spec import (
    VISUALISATIONS,
    LaneSpec,
    PlateSpec,
    SpotSpec,
    Visualisation,
    random_plate_spec,
)

__all__ = [
    "BACKGROUNDS",
    "UNUSABLE_KINDS",
    "VISUALISATIONS",
    "Background",
    "LaneSpec",
    "LaneTruth",
    "LineTruth",
    "PlateSpec",
    "PlateTruth",
    "RenderedPlate",
    "Shot",
    "SpotSpec",
    "SpotTruth",
    "UnusableKind",
    "UnusablePhoto",
    "Visualisation",
    "random_megapixels",
    "random_plate_spec",
    "read_upright",
    "render_plate",
    "render_unusable",
]
