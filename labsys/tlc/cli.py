"""The ``labsys analyse`` command: a plate photo in, Rf values out (a table or JSON).

The main CLI (:mod:`labsys.cli`) registers it with :func:`add_analyse_command`. The handler returns
an exit code; a :class:`labsys.errors.LabsysError` (an unreadable photo, no plate) propagates so the
main CLI prints it as one line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from labsys.tlc.analysis import analyse_plate
from labsys.tlc.overlay import render_overlay
from labsys.tlc.results import PlateAnalysis


def add_analyse_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``analyse IMAGE [--lanes N] [--json] [--overlay OUT.png]``."""
    command = subparsers.add_parser("analyse", help="measure Rf values on a photo of a TLC plate")
    command.add_argument("image", type=Path, help="photo of the developed plate")
    command.add_argument("--lanes", type=int, default=None, help="number of lanes, when known")
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.add_argument("--overlay", type=Path, default=None, help="write a PNG to check by eye")
    command.set_defaults(handler=_analyse)


def _analyse(args: argparse.Namespace) -> int:
    analysis = analyse_plate(args.image, lanes=args.lanes)
    if args.overlay is not None:
        args.overlay.write_bytes(render_overlay(analysis, png=True))
    if args.json:
        json.dump(analysis.to_dict(), sys.stdout)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(analysis))
    return 0


def format_table(analysis: PlateAnalysis) -> str:
    """A plain-text summary: lines, then one row per spot, then warnings."""
    rows = [
        f"origin y={analysis.origin.y:.1f} ({analysis.origin.source})   "
        f"front y={analysis.front.y:.1f} ({analysis.front.source})   "
        f"background: {analysis.background}",
        f"{'lane':>4}  {'Rf':>5}  {'hRf':>4}  {'look':<6}  {'colour':<7}  note",
    ]
    for lane in analysis.lanes:
        notes = ["residue at origin"] if lane.origin_residue else []
        if not lane.spots:
            rows.append(f"{lane.index + 1:>4}  {'-':>5}  {'-':>4}  {'':<6}  {'':<7}  no spots")
        for spot in lane.spots:
            colour = "#{:02x}{:02x}{:02x}".format(*spot.colour)
            extra = ", ".join([*notes, *(["tailing"] if spot.tailing else [])])
            rows.append(
                f"{lane.index + 1:>4}  {spot.rf:5.2f}  {spot.hrf:4.0f}  {spot.appearance:<6}  "
                f"{colour:<7}  {extra}"
            )
            notes = []
    rows.extend(f"warning: {warning}" for warning in analysis.warnings)
    return "\n".join(rows) + "\n"
