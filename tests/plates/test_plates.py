"""Plates end to end on both backends: layout, photo, analysis, acceptance, identification."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from labsys.audit import AuditEvent, history
from labsys.auth import Actor, Role
from labsys.db import make_engine, session_factory, transaction, upgrade
from labsys.errors import ConcurrentEdit, ImageError, PermissionDenied, ValidationError
from labsys.plates.analyses import AnalysisHints, accept_analysis, analyse_photo
from labsys.plates.identification import identify_plate
from labsys.plates.models import PlateAnalysisRecord, PlatePhoto
from labsys.plates.photos import attach_photo
from labsys.plates.service import create_plate, get_plate, list_plates, plate_layout
from labsys.samples import get_sample
from labsys.storage.photos import PhotoStore
from labsys.tlc.layout import parse_layout
from tests.conftest import NO_POSTGRES, POSTGRES_URL, make_actors
from tests.plates.plate_photos import (
    laid_out_plate,
    layout_data,
    library,
    photograph,
    plate_jpeg,
    queued_sample,
)


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "data")


def _state(engine: Engine, actor: Actor, code: str) -> str:
    with transaction(engine) as session:
        return get_sample(session, actor, code).state


def test_layout_puts_samples_on_plate_with_audit(engine: Engine, actors: dict[Role, Actor]) -> None:
    volunteer = actors[Role.VOLUNTEER]
    plate, sample = laid_out_plate(engine, volunteer)
    assert _state(engine, volunteer, sample.code) == "on_plate"
    with transaction(engine) as session:
        (listed,) = list_plates(session, volunteer)
        assert (
            plate_layout(listed).model_dump() == parse_layout(layout_data(sample.code)).model_dump()
        )
        events = history(session, "plate", plate.id)
        moves = history(session, "sample", sample.id)
    assert [e.action for e in events] == ["plate_created"]
    assert (moves[-1].from_state, moves[-1].to_state) == ("queued", "on_plate")


def test_layout_refuses_samples_not_waiting_and_unknown_references(
    engine: Engine, actors: dict[Role, Actor]
) -> None:
    volunteer = actors[Role.VOLUNTEER]
    _, sample = laid_out_plate(engine, volunteer)
    with pytest.raises(ValidationError, match="only queued or retest"), transaction(engine) as s:
        create_plate(s, volunteer, parse_layout(layout_data(sample.code)), library())
    other = queued_sample(engine, volunteer)
    data = layout_data(other.code)
    data["lanes"][1]["reference"]["substance"] = "unobtainium"  # type: ignore[index]
    with (
        pytest.raises(ValidationError, match="not in the reference library"),
        transaction(engine) as session,
    ):
        create_plate(session, volunteer, parse_layout(data), library())
    data = layout_data(other.code) | {"plate_type": "silica " * 10}
    with (
        pytest.raises(ValidationError, match="Plate type is limited to 60"),
        transaction(engine) as session,
    ):
        create_plate(session, volunteer, parse_layout(data), library())
    assert _state(engine, volunteer, other.code) == "queued"


def test_counsellor_cannot_lay_out_plates(engine: Engine, actors: dict[Role, Actor]) -> None:
    sample = queued_sample(engine, actors[Role.VOLUNTEER])
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        create_plate(
            session, actors[Role.COUNSELLOR], parse_layout(layout_data(sample.code)), library()
        )


def test_photo_analysis_acceptance_and_identification(
    engine: Engine, actors: dict[Role, Actor], store: PhotoStore
) -> None:
    volunteer = actors[Role.VOLUNTEER]
    plate, sample = laid_out_plate(engine, volunteer)
    photo, duplicate = attach_photo(
        engine,
        volunteer,
        plate.id,
        "uv254",
        plate_jpeg(),
        expected_version=plate.version,
        store=store,
    )
    assert not duplicate
    assert (store.data_dir / photo.path).read_bytes() == plate_jpeg()
    assert _state(engine, volunteer, sample.code) == "imaged"

    analysis = analyse_photo(engine, volunteer, photo.id, AnalysisHints(), store=store)
    assert [[round(s.rf, 2) for s in lane.spots] for lane in analysis.lanes] == [
        [0.33, 0.56],
        [0.33],
        [0.56],
    ]
    with transaction(engine) as session:
        current = get_plate(session, volunteer, plate.id)
        accepted = accept_analysis(
            session,
            volunteer,
            photo.id,
            analysis,
            AnalysisHints(front_y=analysis.front.y),
            expected_version=current.version,
        )
    assert accepted.parameters == {"lanes": 3, "front_y": analysis.front.y}
    assert accepted.result == analysis.to_dict()
    assert _state(engine, volunteer, sample.code) == "analysed"

    with transaction(engine) as session:
        findings = identify_plate(session, volunteer, plate.id, library())
    spots = findings.identification.lane(sample.code).spots  # type: ignore[union-attr]
    assert [s.top.substance for s in spots if s.top] == ["codeine", "chlorprothixene"]
    draft = findings.drafts[sample.code]
    assert draft.sold_as == "codeine"
    assert {f.substance for f in draft.findings} == {"codeine", "chlorprothixene"}
    with transaction(engine) as session:
        actions = [e.action for e in history(session, "plate", plate.id)]
    assert actions == ["plate_created", "photo_attached", "analysis_accepted"]


def test_rephotograph_replaces_the_current_photo_and_spots_duplicates(
    engine: Engine, actors: dict[Role, Actor], store: PhotoStore
) -> None:
    volunteer = actors[Role.VOLUNTEER]
    plate, _ = laid_out_plate(engine, volunteer)
    first = photograph(engine, volunteer, store, plate)
    with transaction(engine) as session:
        version = get_plate(session, volunteer, plate.id).version
    second, duplicate = attach_photo(
        engine, volunteer, plate.id, "uv254", plate_jpeg(), expected_version=version, store=store
    )
    assert duplicate and second.path == first.path
    analysis = analyse_photo(engine, volunteer, second.id, AnalysisHints(), store=store)
    with transaction(engine) as session:
        photos = session.scalars(select(PlatePhoto).order_by(PlatePhoto.id)).all()
        assert [(p.id, p.is_current) for p in photos] == [(first.id, False), (second.id, True)]
        version = get_plate(session, volunteer, plate.id).version
    with pytest.raises(ValidationError, match="replaced"), transaction(engine) as session:
        accept_analysis(
            session, volunteer, first.id, analysis, AnalysisHints(), expected_version=version
        )


def test_stale_plate_version_is_refused(
    engine: Engine, actors: dict[Role, Actor], store: PhotoStore
) -> None:
    volunteer = actors[Role.VOLUNTEER]
    plate, _ = laid_out_plate(engine, volunteer)
    photograph(engine, volunteer, store, plate)
    with pytest.raises(ConcurrentEdit, match="changed by someone else"):
        attach_photo(
            engine,
            volunteer,
            plate.id,
            "uv366",
            plate_jpeg(2),
            expected_version=plate.version,
            store=store,
        )
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PlatePhoto)) == 1


def test_bad_photo_stores_nothing(
    engine: Engine, actors: dict[Role, Actor], store: PhotoStore
) -> None:
    volunteer = actors[Role.VOLUNTEER]
    plate, sample = laid_out_plate(engine, volunteer)
    with pytest.raises(ImageError, match="not a readable image"):
        attach_photo(
            engine,
            volunteer,
            plate.id,
            "uv254",
            b"not a photo at all",
            expected_version=plate.version,
            store=store,
        )
    with pytest.raises(ValidationError, match="lower-case"):
        attach_photo(
            engine,
            volunteer,
            plate.id,
            "UV 254",
            plate_jpeg(),
            expected_version=plate.version,
            store=store,
        )
    assert not store.root.exists()
    assert _state(engine, volunteer, sample.code) == "on_plate"
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PlatePhoto)) == 0
        assert session.scalar(select(func.count()).select_from(PlateAnalysisRecord)) == 0
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "plate")
            )
            == 1
        )


def test_identify_needs_an_accepted_analysis(engine: Engine, actors: dict[Role, Actor]) -> None:
    plate, _ = laid_out_plate(engine, actors[Role.VOLUNTEER])
    with (
        pytest.raises(ValidationError, match="no accepted photo analysis"),
        transaction(engine) as session,
    ):
        identify_plate(session, actors[Role.VOLUNTEER], plate.id, library())


def test_corrections_change_the_analysis_and_are_kept(
    engine: Engine, actors: dict[Role, Actor], store: PhotoStore
) -> None:
    volunteer = actors[Role.VOLUNTEER]
    plate, _ = laid_out_plate(engine, volunteer)
    photo = photograph(engine, volunteer, store, plate)
    found = analyse_photo(engine, volunteer, photo.id, AnalysisHints(), store=store)
    lower_front = found.front.y + 0.25 * (found.origin.y - found.front.y)
    hints = AnalysisHints(
        front_y=lower_front, lane_centres=tuple(lane.centre_x for lane in found.lanes)
    )
    corrected = analyse_photo(engine, volunteer, photo.id, hints, store=store)
    assert corrected.front.source == "hint"
    assert corrected.lanes[1].spots[0].rf == pytest.approx(found.lanes[1].spots[0].rf / 0.75, 0.02)
    with transaction(engine) as session:
        version = get_plate(session, volunteer, plate.id).version
        accepted = accept_analysis(
            session, volunteer, photo.id, corrected, hints, expected_version=version
        )
    assert accepted.parameters["front_y"] == lower_front
    assert accepted.parameters["lane_centres"] == [lane.centre_x for lane in found.lanes]
    assert accepted.algorithm_version == found.algorithm_version != ""


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
def test_a_race_between_two_acceptances_overwrites_nothing(
    postgres_schema_url: str, store: PhotoStore
) -> None:
    """Both read the plate before either writes; the database's version check refuses one.

    PostgreSQL only: SQLite serialises write transactions (BEGIN IMMEDIATE), so it has no race.
    """
    engine = make_engine(postgres_schema_url)
    upgrade(engine)
    volunteer = make_actors(engine)[Role.VOLUNTEER]
    plate, _ = laid_out_plate(engine, volunteer)
    photo = photograph(engine, volunteer, store, plate)
    analysis = analyse_photo(engine, volunteer, photo.id, AnalysisHints(), store=store)
    first, second = session_factory(engine)(), session_factory(engine)()
    try:
        version = get_plate(first, volunteer, plate.id).version
        assert get_plate(second, volunteer, plate.id).version == version
        accept_analysis(
            first, volunteer, photo.id, analysis, AnalysisHints(), expected_version=version
        )
        first.commit()
        with pytest.raises(ConcurrentEdit):
            accept_analysis(
                second, volunteer, photo.id, analysis, AnalysisHints(), expected_version=version
            )
        second.rollback()
    finally:
        first.close()
        second.close()
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PlateAnalysisRecord)) == 1
    engine.dispose()
