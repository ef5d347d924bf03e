"""The ``labsys backup``, ``restore`` and ``purge`` commands, run by the server's operator."""

from __future__ import annotations

import argparse
from pathlib import Path

from labsys.config import load_settings
from labsys.db import make_engine
from labsys.storage.backup import create_backup, restore_backup
from labsys.storage.purge import purge, retention_days


def photos_dir() -> Path:
    """The photo store of the configured data directory."""
    return load_settings().data_dir / "photos"


def _backup(args: argparse.Namespace) -> int:
    engine = make_engine(load_settings().database_url)
    try:
        manifest = create_backup(engine, photos_dir(), Path(args.path))
    finally:
        engine.dispose()
    rows = sum(manifest.row_counts.values())
    photos = sum(1 for name in manifest.files if name.startswith("photos/"))
    print(f"Backed up {rows} rows and {photos} photo file(s) to {args.path}.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    engine = make_engine(load_settings().database_url)
    try:
        manifest = restore_backup(Path(args.path), engine, photos_dir(), force=args.force)
    finally:
        engine.dispose()
    rows = sum(manifest.row_counts.values())
    print(
        f"Restored {rows} rows and the photos of the backup made {manifest.created_at}. "
        "Run `labsys db upgrade` if this labsys is newer than the backup."
    )
    return 0


def _purge(args: argparse.Namespace) -> int:
    settings = load_settings()
    days = args.older_than if args.older_than is not None else retention_days()
    engine = make_engine(settings.database_url)
    try:
        report = purge(engine, settings.data_dir, older_than_days=days, dry_run=args.dry_run)
    finally:
        engine.dispose()
    verb = "Would purge" if args.dry_run else "Purged"
    print(
        f"{verb} {len(report.samples)} sample(s) finished over {days} days ago: "
        f"{report.notes_blanked} lab note(s) blanked, {len(report.photos)} photo file(s) deleted."
    )
    for code in report.samples:
        print(f"  {code}")
    return 0


def add_backup_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``backup PATH`` and ``restore PATH [--force]`` to the ``labsys`` command."""
    backup = commands.add_parser(
        "backup", help="write the database and photos to one archive (while the app runs)"
    )
    backup.add_argument("path", help="archive file to write, e.g. labsys-2026-11-24.tar.gz")
    backup.set_defaults(handler=_backup)
    restore = commands.add_parser(
        "restore", help="restore an archive into an empty database and data directory"
    )
    restore.add_argument("path", help="archive written by `labsys backup`")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace a non-empty target (drops and recreates the schema; stop the app first)",
    )
    restore.set_defaults(handler=_restore)


def add_purge_command(commands: argparse._SubParsersAction) -> None:
    """Add ``purge [--older-than DAYS] [--dry-run]`` to the ``labsys`` command."""
    purging = commands.add_parser(
        "purge", help="blank lab notes and delete photos of samples finished long ago"
    )
    purging.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="retention in days (default: LABSYS_RETENTION_DAYS, or 90)",
    )
    purging.add_argument("--dry-run", action="store_true", help="only say what would be purged")
    purging.set_defaults(handler=_purge)
