"""The dashboard and alert pages through Streamlit's AppTest."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from labsys.audit import history
from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.errors import ReferenceDataError
from labsys.monitoring import alerts
from labsys.monitoring.alerts import evaluate_all, move_alert
from labsys.monitoring.models import Alert
from tests.monitoring.seeding import add_actors, add_result
from tests.ui.apptest_lab import configured_lab, page_app

Lab = tuple[Engine, dict[Role, Actor]]


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """A migrated SQLite lab the pages use, with a heroin sample containing fentanyl."""
    with configured_lab(tmp_path, monkeypatch, add_actors) as (engine, actors):
        recently = datetime.now(UTC).date() - timedelta(days=3)
        volunteer = actors[Role.VOLUNTEER]
        heroin_with_fentanyl = {"heroin": "expected", "fentanyl": "other"}
        add_result(engine, volunteer, "heroin", recently, heroin_with_fentanyl)
        add_result(
            engine, volunteer, "cocaine", recently, {"cocaine": "expected"}, site="Night bus"
        )
        yield engine, actors


def _page(page: str, actor: Actor) -> AppTest:
    return page_app(page, actor).run()


def test_dashboard_shows_counts_charts_and_filters(lab: Lab) -> None:
    _, actors = lab
    app = _page("dashboard", actors[Role.COORDINATOR])
    assert not app.exception
    assert app.title[0].value == "Monitoring"
    assert app.metric[0].value == "2"
    assert [s.value for s in app.subheader][:2] == [
        "Samples per week",
        "What was found, by what it was sold as",
    ]
    app.selectbox(key="dashboard_site").set_value("Night bus").run()
    assert not app.exception
    assert app.metric[0].value == "1"


def test_dashboard_is_refused_to_a_volunteer(lab: Lab) -> None:
    _, actors = lab
    app = _page("dashboard", actors[Role.VOLUNTEER])
    assert "not available to your role" in app.error[0].value


def test_alert_page_checks_acknowledges_and_publishes_with_a_reason(lab: Lab) -> None:
    engine, actors = lab
    app = _page("alerts", actors[Role.COORDINATOR])
    assert app.info[0].value == "No open alert."
    app.button(key="alerts_check").click().run()
    assert app.success[0].value == "1 new alert(s)."
    with transaction(engine) as session:
        alert_id = session.scalars(select(Alert.id)).one()
    assert "fentanyl found in a sample sold as heroin" in app.text[0].value
    app.button(key=f"alert_{alert_id}_acknowledged").click().run()
    assert not app.exception
    app.button(key=f"alert_{alert_id}_published").click().run()
    assert "Reason" in app.error[0].value
    app.text_input(key=f"alert_reason_{alert_id}").input("posted at the drop-in").run()
    app.button(key=f"alert_{alert_id}_published").click().run()
    assert not app.exception
    assert app.info[0].value == "No open alert."
    with transaction(engine) as session:
        events = history(session, "alert", alert_id)
        assert evaluate_all(session, datetime.now(UTC)) == []
    assert [(e.to_state, e.actor_name, e.reason) for e in events][-1] == (
        "published",
        "coordinator",
        "posted at the drop-in",
    )
    assert (events[0].action, events[0].actor_name) == ("raised", "coordinator")


def test_a_broken_rules_file_is_shown_as_a_message(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, actors = lab

    def broken() -> None:
        raise ReferenceDataError("alerts/rules.yaml: rules[0].kind is missing")

    monkeypatch.setattr(alerts, "load_rules", broken)
    app = _page("alerts", actors[Role.COORDINATOR])
    app.button(key="alerts_check").click().run()
    assert not app.exception
    assert "is missing" in app.error[0].value


def test_dismissing_from_a_stale_page_does_not_override_an_acknowledge(lab: Lab) -> None:
    engine, actors = lab
    with transaction(engine) as session:
        (alert,) = evaluate_all(session, datetime.now(UTC))
    app = _page("alerts", actors[Role.COORDINATOR])
    with transaction(engine) as session:  # another coordinator, meanwhile
        move_alert(session, actors[Role.ADMIN], alert.id, "acknowledged", expected_version=1)
    app.text_input(key=f"alert_reason_{alert.id}").input("false alarm").run()
    app.button(key=f"alert_{alert.id}_dismissed").click().run()
    assert not app.exception
    assert "changed by someone else" in app.error[0].value
    with transaction(engine) as session:
        assert session.get(Alert, alert.id).state == "acknowledged"  # type: ignore[union-attr]
