"""Pages under hostile text and idle sessions: typed text is shown as typed; idle people are out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.samples import Intake, register
from labsys.ui import context
from tests.ui.apptest_lab import configured_lab, page_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
MARKUP = (
    "**bold** <b>tag</b> <script>alert(1)</script> ![beacon](http://tracker.invalid/p.png) "
    "[link](javascript:alert(1)) $x^2$ :red[red] # heading | pipe"
)


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, dict]]:
    """A migrated SQLite lab that the pages under test use."""
    with configured_lab(tmp_path, monkeypatch) as lab:
        yield lab


def test_lab_notes_are_shown_literally_not_as_markup(lab: tuple) -> None:
    engine, actors = lab
    with transaction(engine) as session:
        intake = Intake(sold_as="mdma", form="tablet", site="Fest", lab_notes=MARKUP)
        code = register(session, actors[Role.VOLUNTEER], intake).code
    app = page_app("sample_detail", actors[Role.VOLUNTEER])
    app.session_state["open_code"] = code
    app.run()
    assert not app.exception
    details = app.dataframe[0].value
    assert dict(zip(details["field"], details["value"], strict=True))["Lab notes"] == MARKUP
    rendered_as_markdown = [element.value for element in (*app.markdown, *app.caption)]
    assert not any("tracker.invalid" in str(text) for text in rendered_as_markdown)
    assert len(app.table) == 0  # st.table renders Markdown in cells


def _signed_in_app(actor: Actor, idle_s: float) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    app.session_state["actor"] = actor
    app.session_state["last_seen"] = time.monotonic() - idle_s
    return app.run()


def test_an_idle_session_is_signed_out(lab: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    _, actors = lab
    monkeypatch.setattr(context, "IDLE_TIMEOUT_S", 60.0)
    app = _signed_in_app(actors[Role.VOLUNTEER], idle_s=61)
    assert not app.exception
    assert "actor" not in app.session_state
    assert "inactivity" in app.info[0].value
    assert app.text_input(key="login_password") is not None


def test_an_active_session_stays_signed_in(lab: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    _, actors = lab
    monkeypatch.setattr(context, "IDLE_TIMEOUT_S", 60.0)
    app = _signed_in_app(actors[Role.VOLUNTEER], idle_s=30)
    assert not app.exception
    assert app.session_state["actor"].role is Role.VOLUNTEER
    assert app.title[0].value == "Register a sample"
