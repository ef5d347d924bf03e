"""Plate pages through AppTest: lay out a plate, upload and accept a photo, identify, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from labsys.auth import Actor, Role
from labsys.db import transaction
from labsys.plates.models import PlateAnalysisRecord, PlatePhoto
from labsys.plates.photos import attach_photo
from labsys.plates.service import get_plate
from labsys.results.review import result_version
from labsys.samples import get_sample
from labsys.storage.photos import PhotoStore
from tests.plates.plate_photos import (
    accepted_plate,
    laid_out_plate,
    photograph,
    plate_jpeg,
    queued_sample,
)
from tests.ui.apptest_lab import configured_lab, page_app

Lab = tuple[Engine, dict[Role, Actor], PhotoStore]


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """A migrated SQLite lab, with the data dir the app under test is configured to use."""
    with configured_lab(tmp_path, monkeypatch) as (engine, actors):
        yield engine, actors, PhotoStore(tmp_path)


def _page_app(page: str, actor: Actor) -> AppTest:
    return page_app(page, actor, timeout=60)


def _photo_count(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(PlatePhoto)) or 0


def test_layout_page_records_a_plate(lab: Lab) -> None:
    engine, actors, _ = lab
    volunteer = actors[Role.VOLUNTEER]
    sample = queued_sample(engine, volunteer)
    app = _page_app("plate_layout", volunteer).run()
    app.selectbox(key="layout_system").set_value("TA")
    app.selectbox(key="layout_lane_0").set_value(f"sample {sample.code} (codeine)")
    app.selectbox(key="layout_lane_1").set_value("reference codeine")
    app.number_input(key="layout_amount_1").set_value(5.0)
    app.selectbox(key="layout_lane_2").set_value("reference chlorprothixene")
    app.number_input(key="layout_amount_2").set_value(5.0)
    app.button(key="layout_submit").click().run()
    assert not app.exception
    assert not app.error, app.error[0].value
    assert "recorded with 3 lane(s)" in app.success[0].value
    with transaction(engine) as session:
        assert get_sample(session, volunteer, sample.code).state == "on_plate"


def test_layout_page_explains_a_missing_reference_amount(lab: Lab) -> None:
    _, actors, _ = lab
    app = _page_app("plate_layout", actors[Role.VOLUNTEER]).run()
    app.selectbox(key="layout_lane_0").set_value("reference codeine")
    app.button(key="layout_submit").click().run()
    assert not app.exception
    assert "amount_ug" in app.error[0].value.replace("\\", "")  # shown literally: escaped


def test_photo_page_uploads_analyses_and_accepts(lab: Lab) -> None:
    engine, actors, _ = lab
    volunteer = actors[Role.VOLUNTEER]
    _, sample = laid_out_plate(engine, volunteer)
    app = _page_app("plate_photo", volunteer).run()
    assert "No uv254 photo" in app.info[0].value
    app.file_uploader[0].set_value(("plate.jpg", plate_jpeg(), "image/jpeg"))
    app.run()
    app.button(key="photo_store").click().run()
    assert not app.exception
    assert not app.error
    assert "photo is stored" in app.success[0].value
    table = app.dataframe[1].value
    assert list(table["content"]) == [
        f"sample {sample.code}",
        f"sample {sample.code}",
        "codeine (reference)",
        "chlorprothixene (reference)",
    ]
    assert [round(rf, 2) for rf in table["Rf"]] == [0.33, 0.56, 0.33, 0.56]
    with transaction(engine) as session:
        photo_id = session.scalar(select(PlatePhoto.id))
    centres = app.text_input(key=f"photo_lanes_{photo_id}")
    centres.input(centres.value.replace(",", " ,")).run()
    app.button(key=f"photo_reanalyse_{photo_id}").click().run()
    assert not app.exception
    app.button(key="photo_accept").click().run()
    assert not app.exception
    assert "Analysis accepted" in app.success[-1].value
    with transaction(engine) as session:
        (accepted,) = session.scalars(select(PlateAnalysisRecord)).all()
        assert get_sample(session, volunteer, sample.code).state == "analysed"
    assert len(accepted.parameters["lane_centres"]) == 3


def test_photo_page_refuses_a_text_file_named_jpg(lab: Lab) -> None:
    engine, actors, _ = lab
    laid_out_plate(engine, actors[Role.VOLUNTEER])
    app = _page_app("plate_photo", actors[Role.VOLUNTEER]).run()
    app.file_uploader[0].set_value(("plate.jpg", b"just some notes\n", "image/jpeg"))
    app.run()
    app.button(key="photo_store").click().run()
    assert not app.exception
    assert "not a readable image" in app.error[0].value
    assert _photo_count(engine) == 0


def test_identify_page_shows_candidates_and_draft(lab: Lab) -> None:
    engine, actors, store = lab
    volunteer = actors[Role.VOLUNTEER]
    _, sample = accepted_plate(engine, volunteer, store)
    app = _page_app("plate_identify", volunteer).run()
    assert not app.exception
    assert not app.error
    assert app.subheader[0].value == f"Sample {sample.code}"
    assert app.text[0].value == "Sold as: codeine"
    candidates = app.dataframe[0].value
    assert {"codeine", "chlorprothixene"} <= set(candidates["candidate"])
    assert any("Draft result" in m.value for m in app.markdown)
    # The analyst proposes the draft; it then waits for a second person in the review queue.
    app.button(key=f"propose_{sample.code}").click().run()
    assert not app.exception
    with transaction(engine) as session:
        assert result_version(session, volunteer, sample.code) == 1


def test_counsellor_cannot_open_plate_pages(lab: Lab) -> None:
    _, actors, _ = lab
    for page in ("plate_layout", "plate_photo", "plate_identify", "reference_import"):
        app = _page_app(page, actors[Role.COUNSELLOR]).run()
        assert "not available to your role" in app.error[0].value
    app = _page_app("reference_import", actors[Role.VOLUNTEER]).run()
    assert "not available to your role" in app.error[0].value


def _other_photo(engine: Engine, actor: Actor, store: PhotoStore, plate_id: int) -> None:
    """Someone else stores a uv366 photo of the plate: any such change bumps its version."""
    with transaction(engine) as session:
        version = get_plate(session, actor, plate_id).version
    attach_photo(
        engine, actor, plate_id, "uv366", plate_jpeg(seed=3), expected_version=version, store=store
    )


def test_photo_page_refuses_to_store_over_a_change_made_meanwhile(lab: Lab) -> None:
    engine, actors, store = lab
    volunteer = actors[Role.VOLUNTEER]
    plate, _ = laid_out_plate(engine, volunteer)
    app = _page_app("plate_photo", volunteer).run()  # the volunteer sees the plate
    _other_photo(engine, actors[Role.ADMIN], store, plate.id)
    app.file_uploader[0].set_value(("plate.jpg", plate_jpeg(seed=2), "image/jpeg"))
    app.run()
    app.button(key="photo_store").click().run()
    assert not app.exception
    assert "changed by someone else" in app.error[0].value
    assert _photo_count(engine) == 1  # only the other person's photo
    app.button(key="photo_store").click().run()  # now on the plate as it is: stored
    assert not app.error
    assert _photo_count(engine) == 2


def test_photo_page_refuses_to_accept_over_a_change_made_meanwhile(lab: Lab) -> None:
    engine, actors, store = lab
    volunteer = actors[Role.VOLUNTEER]
    plate, sample = laid_out_plate(engine, volunteer)
    photograph(engine, volunteer, store, plate)
    app = _page_app("plate_photo", volunteer).run()  # the volunteer sees the analysis
    assert not app.error
    _other_photo(engine, actors[Role.ADMIN], store, plate.id)
    app.button(key="photo_accept").click().run()
    assert not app.exception
    assert "changed by someone else" in app.error[0].value
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PlateAnalysisRecord)) == 0
        assert get_sample(session, volunteer, sample.code).state == "imaged"


def test_photo_page_shows_a_typed_visualisation_literally(lab: Lab) -> None:
    engine, actors, _ = lab
    laid_out_plate(engine, actors[Role.VOLUNTEER])
    app = _page_app("plate_photo", actors[Role.VOLUNTEER])
    app.session_state["photo_visualisation"] = "[x](http://evil)"  # typed, not offered
    app.run()
    assert not app.exception
    assert "No \\[x\\]\\(http\\:\\/\\/evil\\) photo" in app.info[0].value
