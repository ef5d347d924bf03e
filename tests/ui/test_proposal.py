"""The proposal button a plate page puts under each sample's draft."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.results.models import ResultStatus
from labsys.results.review import result_of
from labsys.samples import get_sample
from tests.results.lab import analysed_sample
from tests.ui.apptest_lab import configured_lab

Lab = tuple[Engine, dict[Role, Actor]]


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    with configured_lab(tmp_path, monkeypatch) as lab:
        yield lab


def _draft_page(code: str) -> None:
    from labsys.results.categories import ResultCategory
    from labsys.tlc.identify import Verdict
    from labsys.ui.context import current_actor
    from labsys.ui.proposal import propose_from_draft
    from tests.results.lab import cocaine_draft, draft_finding

    draft = cocaine_draft(
        ResultCategory.AS_EXPECTED,
        draft_finding(48, Verdict.IDENTIFIED, "cocaine", expected=True),
        code=code,
    )
    propose_from_draft(current_actor(), draft)


def _app(actor: Actor, code: str) -> AppTest:
    app = AppTest.from_function(_draft_page, args=(code,), default_timeout=30)
    app.session_state["actor"] = actor
    return app.run()


def test_analyst_proposes_the_draft_and_a_stale_page_is_told(lab: Lab) -> None:
    engine, actors = lab
    volunteer = actors[Role.VOLUNTEER]
    code = analysed_sample(engine, volunteer)
    first, second = _app(volunteer, code), _app(volunteer, code)  # two analysts, same draft
    first.button(key=f"propose_{code}").click().run()
    assert not first.exception
    assert "proposed" in first.success[0].value
    with transaction(engine) as session:
        result = result_of(session, get_sample(session, volunteer, code))
        assert result is not None
        assert (result.status, result.category) == (ResultStatus.PROPOSED, "as_expected")
    second.button(key=f"propose_{code}").click().run()
    assert "changed by someone else" in second.error[0].value
