"""Thin-layer chromatography: plate photos to Rf values, and spots to substances."""

from labsys.tlc.results import Lane, PlateAnalysis, PlateLine, Spot

__all__ = ["Lane", "PlateAnalysis", "PlateLine", "Spot"]
