"""Settings read from the environment, so one code base serves a laptop and a network of sites."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Runtime configuration.

    Attributes
    ----------
    database_url
        SQLAlchemy URL; defaults to an SQLite file inside ``data_dir``.
    data_dir
        Where photos and the default database live.
    reference_dir
        The reference library (``reference_spectra/``).
    demo
        True when the app runs with demo data (shows demo credentials on the login page).
    """

    database_url: str
    data_dir: Path
    reference_dir: Path
    demo: bool


def load_settings() -> Settings:
    """Read settings from ``LABSYS_*`` environment variables."""
    data_dir = Path(os.environ.get("LABSYS_DATA_DIR", "data")).resolve()
    url = os.environ.get("LABSYS_DATABASE_URL") or f"sqlite:///{data_dir / 'labsys.sqlite3'}"
    reference_dir = Path(
        os.environ.get("LABSYS_REFERENCE_DIR", PROJECT_ROOT / "reference_spectra")
    ).resolve()
    demo = os.environ.get("LABSYS_DEMO", "") not in ("", "0", "false", "no")
    return Settings(database_url=url, data_dir=data_dir, reference_dir=reference_dir, demo=demo)
