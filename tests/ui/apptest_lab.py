"""A migrated SQLite lab the app under test uses, and one page run as a signed-in actor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from labsys.auth import Actor, Role
from labsys.db import make_engine, upgrade
from tests.conftest import make_actors, sqlite_url


@contextmanager
def configured_lab(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    actors: Callable[[Engine], dict[Role, Actor]] = make_actors,
) -> Iterator[tuple[Engine, dict[Role, Actor]]]:
    """A migrated database with one actor per role (made by ``actors``), configured as the app's
    database."""
    url = sqlite_url(tmp_path)
    monkeypatch.setenv("LABSYS_DATABASE_URL", url)
    monkeypatch.setenv("LABSYS_DATA_DIR", str(tmp_path))
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield engine, actors(engine)
    finally:
        engine.dispose()


def _render_page(page: str) -> None:
    import importlib

    importlib.import_module(f"labsys.ui.{page}").render()


def page_app(page: str, actor: Actor, *, timeout: float = 30) -> AppTest:
    """The page module ``labsys.ui.<page>`` as ``actor`` sees it (call ``.run()``)."""
    app = AppTest.from_function(_render_page, args=(page,), default_timeout=timeout)
    app.session_state["actor"] = actor
    return app
