"""Photograph a plate: store the photo, check the overlay and the Rf table, correct, accept."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor, Permission
from labsys.db import run_in_transaction
from labsys.errors import LabsysError
from labsys.plates.analyses import AnalysisHints, accept_analysis, analyse_photo
from labsys.plates.models import Plate, PlatePhoto
from labsys.plates.photos import attach_photo
from labsys.plates.service import get_plate
from labsys.plates.views import (
    VISUALISATIONS,
    current_photo,
    lane_rows,
    parse_lane_centres,
    rf_rows,
)
from labsys.tlc import render_overlay
from labsys.tlc.results import PlateAnalysis
from labsys.ui.actions import attempt, flash, forget_seen, seen_version
from labsys.ui.context import engine, require_page, show_error
from labsys.ui.literal import literal
from labsys.ui.plate_context import photo_store, pick_plate

_ANALYSIS = "photo_analysis"


def render() -> None:
    """Pick a plate and a visualisation, store a photo, then analyse and accept it."""
    actor = require_page(Permission.LAB_WORK)
    st.title("Plate photos")
    flash()
    plate = pick_plate(actor, "photo_plate")
    if plate is None:
        return
    st.dataframe(lane_rows(plate), hide_index=True)
    offered = [*plate.visualisations, *(v for v in VISUALISATIONS if v not in plate.visualisations)]
    visualisation = st.selectbox(
        "Visualisation", offered, accept_new_options=True, key="photo_visualisation"
    )
    plate = _store_photo(actor, plate, visualisation) or plate
    photo = current_photo(plate, visualisation)
    if photo is None:
        st.info(f"No {literal(visualisation)} photo of this plate yet.")
        return
    _check_and_accept(actor, plate, photo)


def _seen_plate(plate: Plate) -> tuple[str, int]:
    """The key and version of the plate as the page first showed it to the person.

    Storing a photo or accepting an analysis names this version, so a change someone else made
    to the plate meanwhile is refused rather than overwritten.
    """
    key = f"plate_{plate.id}"
    return key, seen_version(key, plate.version)


def _store_photo(actor: Actor, plate: Plate, visualisation: str) -> Plate | None:
    key, seen = _seen_plate(plate)
    upload, camera = st.tabs(["Upload a photo", "Take a photo"])
    uploaded = upload.file_uploader(
        # The name does not decide: the content is checked, so a JPEG named .heic is fine.
        "Photo file",
        type=["jpg", "jpeg", "png", "webp", "heic", "heif", "tif", "tiff"],
        key="photo_file",
    )
    taken = camera.camera_input("Photo", key="photo_camera")
    source = uploaded or taken
    if source is None or not st.button("Store photo", type="primary", key="photo_store"):
        return None
    forget_seen(key)
    try:
        _, duplicate = attach_photo(
            engine(),
            actor,
            plate.id,
            visualisation,
            source.getvalue(),
            expected_version=seen,
            store=photo_store(),
        )
    except LabsysError as error:
        show_error(error)
        return None
    note = " (this exact photo was stored before; the file is reused)" if duplicate else ""
    st.success(f"The {literal(visualisation)} photo is stored{note}.")
    stored = run_in_transaction(engine(), lambda s: get_plate(s, actor, plate.id))
    seen_version(key, stored.version)  # the plate as shown below, with the new photo
    return stored


def _check_and_accept(actor: Actor, plate: Plate, photo: PlatePhoto) -> None:
    hints: AnalysisHints = st.session_state.get(f"photo_hints_{photo.id}", AnalysisHints())
    analysis = _analysis(actor, plate, photo, hints)
    if analysis is None:
        return
    st.image(render_overlay(analysis, png=True), caption="What was found", width=420)
    for warning in analysis.warnings:
        st.warning(warning)
    st.dataframe(rf_rows(analysis, plate), hide_index=True)
    with st.expander("Correct origin, front or lanes"), st.form(f"photo_hints_form_{photo.id}"):
        height = float(analysis.rectified.shape[0])
        origin = st.number_input(
            "Origin (pixels from the top of the plate image)",
            0.0,
            height,
            float(analysis.origin.y),
            key=f"photo_origin_{photo.id}",
        )
        front = st.number_input(
            "Front (pixels from the top)",
            0.0,
            height,
            float(analysis.front.y),
            key=f"photo_front_{photo.id}",
        )
        centres = st.text_input(
            "Lane centres (pixels from the left, comma-separated)",
            ", ".join(f"{lane.centre_x:.0f}" for lane in analysis.lanes),
            key=f"photo_lanes_{photo.id}",
        )
        if st.form_submit_button(
            "Analyse again with these corrections", key=f"photo_reanalyse_{photo.id}"
        ):
            try:
                lane_centres = parse_lane_centres(centres)
            except LabsysError as error:
                show_error(error)
            else:
                st.session_state[f"photo_hints_{photo.id}"] = AnalysisHints(
                    origin_y=origin, front_y=front, lane_centres=lane_centres
                )
                st.rerun()
    if photo.analyses:
        st.caption(f"An analysis of this photo was accepted {len(photo.analyses)} time(s).")
    if st.button("Accept analysis", type="primary", key="photo_accept"):
        key, seen = _seen_plate(plate)
        attempt(
            lambda s: accept_analysis(s, actor, photo.id, analysis, hints, expected_version=seen),
            "Analysis accepted; the plate's samples are analysed.",
            seen=key,
        )


def _analysis(
    actor: Actor, plate: Plate, photo: PlatePhoto, hints: AnalysisHints
) -> PlateAnalysis | None:
    """Analyse once per photo, hints and plate version (a rerun of the page must not analyse
    again, but a plate changed meanwhile, e.g. its layout, must be analysed as it is now)."""
    cached = st.session_state.get(_ANALYSIS)
    if cached is not None and cached[0] == (photo.id, plate.version, hints):
        return cached[1]
    try:
        analysis = analyse_photo(engine(), actor, photo.id, hints, store=photo_store())
    except LabsysError as error:
        show_error(error)
        return None
    st.session_state[_ANALYSIS] = ((photo.id, plate.version, hints), analysis)
    return analysis
