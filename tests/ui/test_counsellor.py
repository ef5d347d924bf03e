"""The counsellor's page through AppTest: open by code, prompts, record referrals, close; French."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.results.conversation import conversation_of
from labsys.results.findings import ProposedFinding
from labsys.results.review import confirm_result, propose_result
from labsys.samples import State, get_sample
from tests.results.lab import analysed_sample, reviewed_sample
from tests.ui.apptest_lab import configured_lab, page_app

Lab = tuple[Engine, dict[Role, Actor]]


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    with configured_lab(tmp_path, monkeypatch) as lab:
        yield lab


def _text(app: object) -> str:
    elements = [*app.markdown, *app.header, *app.info, *app.title]  # type: ignore[attr-defined]
    return "\n".join(element.value for element in elements)


def _opened(actor: Actor, code: str):  # type: ignore[no-untyped-def]
    app = page_app("counsellor", actor).run()
    app.text_input(key="counsel_code").input(code).run()
    assert not app.exception
    return app


def test_counsellor_opens_a_sample_records_referrals_and_closes(lab: Lab) -> None:
    engine, actors = lab
    code = reviewed_sample(engine, actors)
    app = _opened(actors[Role.COUNSELLOR], code)
    text = _text(app)
    assert "Result: As expected, with adulterant(s)" in text
    assert "how sure: fairly sure" in text  # levamisole, medium confidence
    assert "TLC" in text or "thin-layer chromatography" in text
    assert any("evamisole" in e.label for e in app.expander)
    app.checkbox(key="offered_doctor").check()
    app.checkbox(key="accepted_doctor").check()
    app.checkbox(key="offered_naloxone").check()
    next(b for b in app.button if b.label == "Record").click().run()
    assert not app.exception
    assert "Conversation recorded" in app.success[0].value
    with transaction(engine) as session:
        sample = get_sample(session, actors[Role.ADMIN], code)
        assert sample.state == State.CLOSED
        recorded = conversation_of(session, sample)
    assert recorded is not None
    assert [r.value for r in recorded.accepted] == ["doctor"]
    assert sorted(r.value for r in recorded.offered) == ["doctor", "naloxone"]


def test_mistyped_code_is_reported_as_such(lab: Lab) -> None:
    engine, actors = lab
    code = reviewed_sample(engine, actors)
    swapped = code[1] + code[0] + code[2:]
    app = _opened(actors[Role.COUNSELLOR], swapped if swapped != code else code[:-1] + "0")
    assert "mistyped" in app.error[0].value or "not a valid" in app.error[0].value


def test_french_counsellor_keeps_it_open_then_closes(lab: Lab) -> None:
    engine, actors = lab
    code = reviewed_sample(engine, actors)
    app = _opened(replace(actors[Role.COUNSELLOR], language="fr"), code)
    assert app.title[0].value == "Entretien"
    assert "Résultat : Conforme, avec produit(s) de coupe" in _text(app)
    assert len(app.get("download_button")) == 1  # the take-away card
    app.checkbox(key="counsel_close_now").uncheck()
    next(b for b in app.button if b.label == "Enregistrer").click().run()
    assert not app.exception
    with transaction(engine) as session:
        assert get_sample(session, actors[Role.ADMIN], code).state == State.REPORTED
    app.button(key="counsel_close").click().run()
    assert not app.exception
    with transaction(engine) as session:
        assert get_sample(session, actors[Role.ADMIN], code).state == State.CLOSED


def test_language_switch(lab: Lab) -> None:
    engine, actors = lab
    code = reviewed_sample(engine, actors)
    app = _opened(actors[Role.COUNSELLOR], code)
    app.radio(key="counsel_lang").set_value("fr").run()
    assert app.title[0].value == "Entretien"


def test_typed_text_is_shown_literally(lab: Lab) -> None:
    engine, actors = lab
    code = analysed_sample(engine, actors[Role.VOLUNTEER], "[speed](http://x.example) $1$")
    with transaction(engine) as session:
        propose_result(
            session,
            actors[Role.VOLUNTEER],
            code,
            category="different_substance",
            findings=[ProposedFinding("caffeine", "other", "high")],
            expected_version=None,
        )
        confirm_result(session, actors[Role.COORDINATOR], code, expected_version=1)
    app = _opened(actors[Role.COUNSELLOR], code)
    assert r"\[speed\]\(http\:\/\/x\.example\) \$1\$" in _text(app)


def test_counsellor_page_refuses_other_roles(lab: Lab) -> None:
    _, actors = lab
    app = page_app("counsellor", actors[Role.VOLUNTEER]).run()
    assert "not available" in app.error[0].value
