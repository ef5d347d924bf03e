"""``labsys alerts check`` and ``labsys export``: the scheduled alert run and the network export.

The main CLI (:mod:`labsys.cli`) registers these with :func:`add_alerts_command` and
:func:`add_export_command`. Handlers return an exit code; a :class:`LabsysError` propagates and
is printed as one line by the main CLI.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from labsys.config import load_settings
from labsys.db import make_engine, run_in_transaction, transaction, utcnow
from labsys.errors import ValidationError
from labsys.monitoring.alert_rules import RULES_FILE, load_rules
from labsys.monitoring.alerts import evaluate_all
from labsys.monitoring.export import export_records, serialise


def add_alerts_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``labsys alerts check [--rules FILE]``."""
    parser = subparsers.add_parser("alerts", help="early-warning alerts")
    actions = parser.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="evaluate every alert rule now (run it on a schedule, e.g. hourly)",
        description="Raise the alerts that recently confirmed results justify; print new ones.",
    )
    check.add_argument("--rules", type=Path, default=RULES_FILE, help="alert rules file")
    check.set_defaults(handler=_check)


def add_export_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``labsys export --format csv|json [--since DATE] [-o FILE]``."""
    parser = subparsers.add_parser(
        "export",
        help="anonymised results for early-warning networks (fields: docs/export.md)",
        description=(
            "Confirmed results of samples with monitoring consent, without sample codes; "
            "dated by ISO week where a site saw few samples that week."
        ),
    )
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument(
        "--since", type=_date, help="received in or after the ISO week of (YYYY-MM-DD)"
    )
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    parser.set_defaults(handler=_export)


def _engine() -> Engine:
    return make_engine(load_settings().database_url)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _check(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules)
    raised = run_in_transaction(
        _engine(), lambda session: evaluate_all(session, utcnow(), rules=rules)
    )
    print(f"{len(raised)} new alert(s).")
    for alert in raised:
        print(f"  [{alert.rule}] {alert.title}")
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.output is not None and args.output.is_dir():
        raise ValidationError(f"{args.output} is a folder; give a file name.")
    with transaction(_engine()) as session:
        records = export_records(session, None, since=args.since)
    text = serialise(records, args.format, utcnow())
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"Exported {len(records)} record(s) to {args.output}.", file=sys.stderr)
    return 0
