"""Lay out a plate: system, plate, lot, distance, date, and what goes in each lane."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Permission
from labsys.db import run_in_transaction, utcnow
from labsys.errors import LabsysError
from labsys.plates.service import PLATEABLE_STATES, create_plate
from labsys.plates.views import VISUALISATIONS, LaneChoice, lane_options, layout_from_form
from labsys.samples import list_samples
from labsys.ui.context import engine, require_page, show_error
from labsys.ui.plate_context import reference_library

MAX_LANES = 20


def render() -> None:
    """The layout form; on success the plate is recorded and its samples are on the plate."""
    actor = require_page(Permission.LAB_WORK)
    st.title("Lay out a plate")
    library = reference_library()
    waiting = run_in_transaction(
        engine(), lambda s: list_samples(s, actor, states=list(PLATEABLE_STATES))
    )
    left, right = st.columns(2)
    system = left.selectbox(
        "Solvent system",
        sorted(library.systems),
        format_func=lambda code: f"{code}: {library.systems[code].mobile_phase}",
        key="layout_system",
    )
    plate_type = right.text_input("Plate type", "silica gel 60 F254", key="layout_plate_type")
    lot = left.text_input("Plate lot", max_chars=40, key="layout_lot")
    distance = right.number_input(
        "Development distance (mm)", 1.0, 300.0, 80.0, step=1.0, key="layout_distance"
    )
    developed_on = left.date_input("Developed on", utcnow().date(), key="layout_date")
    label = right.text_input("Plate name", max_chars=60, key="layout_label")
    visualisations = st.multiselect(
        "Visualisations planned",
        VISUALISATIONS,
        default=["uv254"],
        accept_new_options=True,
        key="layout_visualisations",
    )
    options = lane_options(waiting, library)
    count = st.number_input("Lanes", 1, MAX_LANES, 3, key="layout_lane_count")
    st.caption("Lane 1 is the leftmost lane with the origin at the bottom.")
    lanes = []
    for index in range(int(count)):
        content, amount = st.columns([3, 1])
        option = content.selectbox(
            f"Lane {index + 1}", options, index=None, key=f"layout_lane_{index}"
        )
        micrograms = amount.number_input(
            "Amount (µg)",
            0.0,
            10000.0,
            0.0,
            key=f"layout_amount_{index}",
            help="Reference: amount spotted. Sample: spotted amount, only for a purity estimate.",
        )
        if option is not None:
            lanes.append(LaneChoice(option, micrograms))
    if not st.button("Record plate", type="primary", key="layout_submit"):
        return
    try:
        layout = layout_from_form(
            label=label,
            system=system,
            plate_type=plate_type,
            lot=lot,
            development_distance_mm=distance,
            developed_on=developed_on,
            visualisations=visualisations,
            lanes=lanes,
            library=library,
        )
        plate = run_in_transaction(engine(), lambda s: create_plate(s, actor, layout, library))
    except LabsysError as error:
        show_error(error)
        return
    st.session_state["open_plate_id"] = plate.id
    st.success(  # the typed plate name is left out: messages render Markdown
        f"Plate #{plate.id} recorded with {len(layout.lanes)} lane(s); its samples are now on "
        "the plate. Photograph it on the plate photo page."
    )
