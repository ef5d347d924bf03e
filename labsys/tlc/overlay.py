"""What the analyser found, drawn over the rectified plate so a person can check it at a glance."""

from __future__ import annotations

import io
from typing import Literal, overload

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from labsys.tlc.results import PlateAnalysis

_ORIGIN = (255, 140, 0)
_FRONT = (0, 160, 255)
_LANE = (200, 200, 200)
_SPOT = (255, 0, 200)
_RESIDUE = (255, 60, 60)


@overload
def render_overlay(analysis: PlateAnalysis, *, png: Literal[False] = False) -> Image.Image: ...
@overload
def render_overlay(analysis: PlateAnalysis, *, png: Literal[True]) -> bytes: ...


def render_overlay(analysis: PlateAnalysis, *, png: bool = False) -> Image.Image | bytes:
    """Draw origin, front, lane centres, circled spots with their Rf, and residue marks.

    Parameters
    ----------
    analysis
        A result of :func:`labsys.tlc.analyse_plate`.
    png
        Return PNG bytes instead of a PIL image.

    Returns
    -------
    PIL.Image.Image or bytes
        The rectified plate with the marks drawn on it.
    """
    rgb = (np.clip(np.asarray(analysis.rectified, dtype=float), 0, 1) * 255 + 0.5).astype(np.uint8)
    picture = Image.fromarray(rgb, "RGB")
    draw = ImageDraw.Draw(picture)
    width, height = picture.size
    stroke = max(1, round(max(width, height) / 400))
    font = ImageFont.load_default(size=max(10, round(max(width, height) / 50)))
    for line, colour, name in (
        (analysis.origin, _ORIGIN, "origin"),
        (analysis.front, _FRONT, "front"),
    ):
        ends = [(0, float(line.y_at(0))), (width - 1, float(line.y_at(width - 1)))]
        draw.line(ends, fill=colour, width=stroke)
        draw.text(
            (3, ends[0][1] - 2), f"{name} ({line.source})", fill=colour, font=font, anchor="lb"
        )
    bottom = float(analysis.origin.y_at(width / 2))
    top = float(analysis.front.y_at(width / 2))
    for lane in analysis.lanes:
        x = lane.centre_x
        for y in np.arange(top, bottom, 4 * stroke):
            draw.line([(x, y), (x, min(bottom, y + 2 * stroke))], fill=_LANE, width=stroke)
        draw.text((x, height - 2), str(lane.index + 1), fill=_LANE, font=font, anchor="mb")
        if lane.origin_residue:
            y = float(analysis.origin.y_at(x))
            size = 3 * stroke
            draw.rectangle([x - size, y - size, x + size, y + size], outline=_RESIDUE, width=stroke)
        for spot in lane.spots:
            rx, ry = max(spot.width / 2, 3.0) + stroke, max(spot.height / 2, 3.0) + stroke
            box = [spot.x - rx, spot.y - ry, spot.x + rx, spot.y + ry]
            draw.ellipse(box, outline=_SPOT, width=stroke)
            draw.line([(spot.x - 2, spot.y), (spot.x + 2, spot.y)], fill=_SPOT, width=1)
            draw.text(
                (spot.x + rx + 2, spot.y), f"{spot.rf:.2f}", fill=_SPOT, font=font, anchor="lm"
            )
    if not png:
        return picture
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
