"""The review page through AppTest: queue, evidence, confirm, four eyes, inconclusive → retest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.results.review import (
    mark_inconclusive,
    propose_result,
    result_of,
    send_for_confirmation,
)
from labsys.results.views import latest_confirmation
from labsys.samples import State, get_sample
from labsys.storage.photos import PhotoStore
from tests.results.lab import (
    COCAINE_WITH_LEVAMISOLE,
    analysed_sample,
    plate_proposal,
    proposed_sample,
)
from tests.ui.apptest_lab import configured_lab, page_app

Lab = tuple[Engine, dict[Role, Actor]]


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    with configured_lab(tmp_path, monkeypatch) as lab:
        yield lab


def _state(engine: Engine, actor: Actor, code: str) -> State:
    with transaction(engine) as session:
        return State(get_sample(session, actor, code).state)


def _click(app: AppTest, label: str) -> None:
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception
    assert not app.error, app.error[0].value


def _markdown(app: object) -> str:
    return "\n".join(element.value for element in app.markdown)  # type: ignore[attr-defined]


def test_reviewer_opens_a_proposal_sees_evidence_and_confirms(lab: Lab) -> None:
    engine, actors = lab
    code = proposed_sample(engine, actors)
    app = page_app("review", actors[Role.COORDINATOR]).run()
    assert list(app.dataframe[0].value["code"]) == [code]
    app.selectbox(key="review_open").set_value(code).run()
    assert not app.exception
    text = _markdown(app)
    assert "**cocaine**: expected, high confidence, hRf 48" in text
    assert r"- co\-spotted" in text  # typed text is escaped, shown literally
    assert "TLC shows what is there" in app.caption[0].value
    app.button(key="review_confirm").click().run()
    assert not app.exception
    assert "confirmed" in app.success[0].value
    assert _state(engine, actors[Role.ADMIN], code) is State.REVIEWED
    assert "No result is waiting" in app.info[0].value


def test_reviewer_sees_the_plate_rf_table_and_overlay(lab: Lab, tmp_path: Path) -> None:
    engine, actors = lab
    code = plate_proposal(engine, actors[Role.VOLUNTEER], PhotoStore(tmp_path))
    app = page_app("review", actors[Role.COORDINATOR]).run()
    app.selectbox(key="review_open").set_value(code).run()
    assert any("sample in lane 1" in m.value for m in app.markdown)
    rf_table = next(d.value for d in app.dataframe if "hRf" in d.value.columns)
    assert f"sample {code}" in set(rf_table["content"])
    next(b for b in app.button if b.label.startswith("Show the uv254")).click().run()
    assert not app.exception
    assert len(app.get("image")) == 1


def test_proposer_is_told_someone_else_must_review(lab: Lab) -> None:
    engine, actors = lab
    coordinator = actors[Role.COORDINATOR]
    code = analysed_sample(engine, coordinator)
    with transaction(engine) as session:
        propose_result(session, coordinator, code, **COCAINE_WITH_LEVAMISOLE, expected_version=None)
    app = page_app("review", coordinator).run()
    app.selectbox(key="review_open").set_value(code).run()
    assert "someone else must review" in app.warning[0].value
    assert not [b for b in app.button if b.key == "review_confirm"]


def test_inconclusive_then_retest(lab: Lab) -> None:
    engine, actors = lab
    code = proposed_sample(engine, actors)
    app = page_app("review", actors[Role.COORDINATOR]).run()
    app.selectbox(key="review_open").set_value(code).run()
    app.text_input(key="review_inconclusive_reason").input("spots smeared")
    next(b for b in app.button if b.label == "Mark inconclusive").click().run()
    assert not app.exception
    assert _state(engine, actors[Role.ADMIN], code) is State.INCONCLUSIVE
    app.text_input(key="next_reason").input("new plate")
    next(b for b in app.button if b.label == "Send to retest").click().run()
    assert not app.exception
    assert "retest" in app.success[0].value
    assert _state(engine, actors[Role.ADMIN], code) is State.RETEST


def test_confirmation_sent_recorded_and_proposed_from_the_page(lab: Lab) -> None:
    engine, actors = lab
    coordinator = actors[Role.COORDINATOR]
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        mark_inconclusive(session, coordinator, code, reason="spots merge", expected_version=1)
    app = page_app("review", coordinator).run()
    app.text_input(key="next_lab").input("LNS Luxembourg")
    _click(app, "Send for confirmation")
    assert _state(engine, coordinator, code) is State.SENT_FOR_CONFIRMATION
    app.text_input(key="conf_lab").input("LNS Luxembourg")
    app.multiselect(key="conf_found").set_value(["cocaine", "levamisole"])
    app.text_input(key="conf_reference").input("GCMS-2026-0117")
    _click(app, "Record confirmation")
    assert _state(engine, coordinator, code) is State.CONFIRMATION_RECEIVED
    assert r"found: cocaine\, levamisole" in app.caption[-1].value
    _click(app, "Propose for review")
    assert "proposed" in app.success[0].value
    with transaction(engine) as session:
        result = result_of(session, get_sample(session, coordinator, code))
        assert result is not None
        assert (result.status, result.category, result.proposed_by_id) == (
            "proposed",
            "as_expected_with_adulterants",
            coordinator.id,
        )
    assert list(app.dataframe[0].value["own"]) == [True]  # someone else must review it


def test_review_page_refuses_other_roles(lab: Lab) -> None:
    _, actors = lab
    app = page_app("review", actors[Role.COUNSELLOR]).run()
    assert "not available" in app.error[0].value


def _changed_meanwhile(engine: Engine, actor: Actor, code: str) -> None:
    """Someone else edits the sample (any change bumps its version; its state stays)."""
    with transaction(engine) as session:
        get_sample(session, actor, code).lab_notes = "re-weighed"


@pytest.mark.parametrize("button", ["Send to retest", "Send for confirmation"])
def test_next_step_refuses_a_change_made_meanwhile(lab: Lab, button: str) -> None:
    engine, actors = lab
    coordinator = actors[Role.COORDINATOR]
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        mark_inconclusive(session, coordinator, code, reason="spots merge", expected_version=1)
    app = page_app("review", coordinator).run()  # the coordinator sees the sample
    _changed_meanwhile(engine, actors[Role.ADMIN], code)
    app.run()  # any other interaction reruns the page (which shows no version)
    app.text_input(key="next_reason").input("new plate")
    app.text_input(key="next_lab").input("LNS Luxembourg")
    next(b for b in app.button if b.label == button).click().run()
    assert not app.exception
    assert "changed by someone else" in app.error[0].value
    assert _state(engine, coordinator, code) is State.INCONCLUSIVE
    _click(app, button)  # now on the sample as it is: done
    assert _state(engine, coordinator, code) is not State.INCONCLUSIVE


def test_recording_a_confirmation_refuses_a_change_made_meanwhile(lab: Lab) -> None:
    engine, actors = lab
    coordinator = actors[Role.COORDINATOR]
    code = proposed_sample(engine, actors)
    with transaction(engine) as session:
        mark_inconclusive(session, coordinator, code, reason="spots merge", expected_version=1)
        version = get_sample(session, coordinator, code).version
        send_for_confirmation(
            session, coordinator, code, external_lab="LNS", expected_version=version
        )
    app = page_app("review", coordinator).run()
    _changed_meanwhile(engine, actors[Role.ADMIN], code)
    app.run()
    app.text_input(key="conf_lab").input("LNS")
    app.multiselect(key="conf_found").set_value(["cocaine"])
    app.text_input(key="conf_reference").input("GCMS-1")
    next(b for b in app.button if b.label == "Record confirmation").click().run()
    assert not app.exception
    assert "changed by someone else" in app.error[0].value
    assert _state(engine, coordinator, code) is State.SENT_FOR_CONFIRMATION
    with transaction(engine) as session:
        assert latest_confirmation(session, coordinator, code) is None
