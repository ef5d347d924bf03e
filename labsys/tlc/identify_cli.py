"""``labsys identify`` and ``labsys references``: identification and the reference library.

The main CLI (:mod:`labsys.cli`) registers these with :func:`add_identify_command` and
:func:`add_references_command`. Handlers return an exit code; a :class:`LabsysError` propagates
and is printed as one line by the main CLI.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from labsys.errors import ValidationError
from labsys.tlc.analysis import analyse_plate
from labsys.tlc.identify import PlateIdentification, identify, visualisation_label
from labsys.tlc.layout import PlateLayout, load_layout
from labsys.tlc.reference_import import import_reference_plate
from labsys.tlc.references import load_library


def add_identify_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``labsys identify PHOTO... --layout LAYOUT.json [--json]``."""
    parser = subparsers.add_parser(
        "identify",
        help="identify the spots of a plate photo against its layout and the reference library",
        description=(
            "Analyse one photo per visualisation (give them as VIS=PHOTO, e.g. uv254=plate.jpg; "
            "a bare PHOTO is the layout's first visualisation) and print, per sample lane, the "
            "ranked candidates with scores and evidence."
        ),
    )
    parser.add_argument("photos", nargs="+", metavar="[VIS=]PHOTO")
    parser.add_argument("--layout", required=True, type=Path, help="plate layout JSON file")
    parser.add_argument("--library", type=Path, help="reference library folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=_identify)


def add_references_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``labsys references check`` and ``labsys references import``."""
    parser = subparsers.add_parser("references", help="the reference library")
    actions = parser.add_subparsers(dest="references_command", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="validate every library file")
    check.add_argument("--library", type=Path, help="reference library folder")
    check.set_defaults(handler=_check)
    imported = actions.add_parser(
        "import", help="record the reference lanes of a reference plate photo as lab measurements"
    )
    imported.add_argument("photo", type=Path)
    imported.add_argument("--layout", required=True, type=Path, help="plate layout JSON file")
    imported.add_argument("--system", help="solvent system code (default: the layout's)")
    imported.add_argument(
        "--visualisation", help="what the photo shows (default: the layout's first)"
    )
    imported.add_argument("--library", type=Path, help="reference library folder")
    imported.set_defaults(handler=_import)


def _identify(args: argparse.Namespace) -> int:
    library = load_library(args.library)
    layout = load_layout(args.layout, library)
    analyses = {
        visualisation: analyse_plate(path, lanes=layout.lane_count)
        for visualisation, path in _photos_by_visualisation(args.photos, layout).items()
    }
    result = identify(analyses, layout, library)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(format_identification(result))
    return 0


def _check(args: argparse.Namespace) -> int:
    library = load_library(args.library)
    print(f"{len(library.substances)} substances and {len(library.systems)} systems: all valid.")
    for code in sorted(library.systems):
        names = ", ".join(s.name for s in library.with_values_in(code)) or "none"
        print(f"  {code}: hRf known for {names}")
    return 0


def _import(args: argparse.Namespace) -> int:
    library = load_library(args.library)
    layout = load_layout(args.layout, library)
    written = import_reference_plate(
        args.photo, layout, library, system=args.system, visualisation=args.visualisation
    )
    if not written:
        print("Nothing new recorded (no reference spot found, or this photo was imported before).")
    for path in written:
        print(f"Recorded {path}")
    return 0


def _photos_by_visualisation(photos: list[str], layout: PlateLayout) -> dict[str, Path]:
    by_visualisation: dict[str, Path] = {}
    for entry in photos:
        name, sep, path = entry.partition("=")
        visualisation, photo = (name, path) if sep else (layout.visualisations[0], entry)
        if visualisation not in layout.visualisations:
            listed = ", ".join(layout.visualisations)
            raise ValidationError(f"{entry}: {visualisation!r} is not in the layout ({listed})")
        if visualisation in by_visualisation:
            raise ValidationError(f"{entry}: a second photo for {visualisation}")
        by_visualisation[visualisation] = Path(photo)
    return by_visualisation


def format_identification(result: PlateIdentification) -> str:
    """The plain-text report: per sample lane, ranked candidates with scores and evidence."""
    layout = result.layout
    shown = ", ".join(visualisation_label(v) for v in layout.visualisations)
    lines = [f"Plate {layout.plate_id}, system {layout.system}, photographed under {shown}"]
    lines += [f"  warning: {w}" for w in result.warnings]
    for lane in result.lanes:
        lines.append(f"Lane {lane.lane.index}: sample {lane.lane.sample_code}")
        if not lane.spots:
            lines.append("  no spot found")
        for spot in lane.spots:
            lines.append(f"  {spot.summary}")
            for candidate in spot.candidates:
                lines.append(f"    {candidate.score:.2f} {candidate.substance}")
                lines += [f"         - {words}" for words in candidate.evidence]
            lines += [f"    caution: {c}" for c in spot.cautions]
        lines += [f"  note: {c}" for c in lane.cautions]
    return "\n".join(lines)
