"""Thin-layer chromatography: plate photos to Rf values, and spots to substances."""

from labsys.tlc.analysis import analyse_plate
from labsys.tlc.imageio import load_image
from labsys.tlc.overlay import render_overlay
from labsys.tlc.results import Lane, PlateAnalysis, PlateLine, Spot

__all__ = [
    "Lane",
    "PlateAnalysis",
    "PlateLine",
    "Spot",
    "analyse_plate",
    "load_image",
    "render_overlay",
]
