"""Page logic through Streamlit's AppTest: sign-in, intake, the sample list, role checks."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.samples import Intake, list_samples, register
from tests.conftest import registered_sample
from tests.ui.apptest_lab import configured_lab, page_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, dict[Role, Actor]]]:
    """A migrated SQLite lab that the app under test is configured to use."""
    with configured_lab(tmp_path, monkeypatch) as lab:
        yield lab


def _sign_in(username: str, password: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.text_input(key="login_username").input(username)
    app.text_input(key="login_password").input(password)
    return app.button[0].click().run()


def _detail_app(actor: Actor, code: str) -> AppTest:
    """The sample detail page with ``code`` open, run once."""
    app = page_app("sample_detail", actor)
    app.session_state["open_code"] = code
    return app.run()


def test_sign_in_with_wrong_password_shows_a_message(lab: tuple) -> None:
    app = _sign_in("volunteer", "wrong")
    assert not app.exception
    assert "Wrong user name or password" in app.error[0].value
    assert "actor" not in app.session_state


def test_sign_in_opens_the_first_page_of_the_role(lab: tuple) -> None:
    app = _sign_in("volunteer", "volunteer-pass")
    assert not app.exception
    assert app.session_state["actor"].role is Role.VOLUNTEER
    assert app.title[0].value == "Register a sample"


def test_intake_registers_a_sample(lab: tuple) -> None:
    engine, actors = lab
    app = page_app("intake", actors[Role.VOLUNTEER]).run()
    app.selectbox(key="intake_sold_as").set_value("cocaine")
    app.text_input(key="intake_site").input("Drop-in Gare")
    app.text_input(key="intake_colour").input("white")
    app.checkbox(key="intake_consent").check()
    app.button[0].click().run()
    assert not app.exception
    assert "Registered sample" in app.success[0].value
    with transaction(engine) as session:
        (sample,) = list_samples(session, actors[Role.ADMIN])
    assert sample.code in app.success[0].value
    assert (sample.sold_as, sample.site, sample.monitoring_consent) == (
        "cocaine",
        "Drop-in Gare",
        True,
    )


def test_intake_refuses_contact_details_and_stores_nothing(lab: tuple) -> None:
    engine, actors = lab
    app = page_app("intake", actors[Role.VOLUNTEER]).run()
    app.selectbox(key="intake_sold_as").set_value("heroin")
    app.text_input(key="intake_site").input("Gare")
    app.text_area(key="intake_notes").input("ring 0612345678")
    app.button[0].click().run()
    assert "contact details" in app.error[0].value
    with transaction(engine) as session:
        assert list_samples(session, actors[Role.ADMIN]) == []


def test_sample_list_filters_by_state_and_code(lab: tuple) -> None:
    engine, actors = lab
    with transaction(engine) as session:
        codes = [
            register(
                session,
                actors[Role.VOLUNTEER],
                Intake(sold_as=s, form="powder", site="Gare", received_on=date.today()),
            ).code
            for s in ("cocaine", "heroin")
        ]
    app = page_app("sample_list", actors[Role.COUNSELLOR]).run()
    assert not app.exception
    assert sorted(app.dataframe[0].value["code"]) == sorted(codes)
    app.text_input(key="list_code").input(codes[1][:6]).run()
    assert list(app.dataframe[0].value["code"]) == [codes[1]]
    app.text_input(key="list_code").input("").run()
    app.multiselect(key="list_states").set_value(["closed"]).run()
    assert "No sample matches" in app.info[0].value


def test_sample_detail_moves_a_sample_and_shows_the_timeline(lab: tuple) -> None:
    engine, actors = lab
    code = registered_sample(engine, actors[Role.VOLUNTEER]).code
    app = _detail_app(actors[Role.VOLUNTEER], code)
    assert app.subheader[0].value == code
    app.radio(key="move_target").set_value(app.radio(key="move_target").options[0])
    app.button[0].click().run()
    assert not app.exception
    timeline = app.dataframe[-1].value  # after the intake details
    assert list(timeline["what"]) == ["Registered at intake", "received → queued"]


def test_detail_reports_a_concurrent_change(lab: tuple) -> None:
    from labsys.samples import move_sample

    engine, actors = lab
    sample = registered_sample(engine, actors[Role.VOLUNTEER])
    app = _detail_app(actors[Role.VOLUNTEER], sample.code)  # the volunteer sees version 1
    with transaction(engine) as session:  # meanwhile someone else queues it
        move_sample(session, actors[Role.ADMIN], sample.code, "queued", expected_version=1)
    app.button[0].click().run()
    assert "changed by someone else" in app.error[0].value


def test_pages_refuse_a_role_without_permission(lab: tuple) -> None:
    outsider = Actor(id=999, username="ghost", role=Role.VOLUNTEER)
    app = page_app("intake", outsider)
    app.session_state["actor"] = None
    app.run()
    assert "not available" in app.error[0].value


def test_errors_quoting_typed_text_are_shown_literally(lab: tuple) -> None:
    _, actors = lab
    app = _detail_app(actors[Role.VOLUNTEER], "[x](http://evil)")
    assert "\\[x\\]\\(http\\:\\/\\/evil\\)" in app.error[0].value
