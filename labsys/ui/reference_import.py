"""Coordinators record the lab's own reference measurements from a photographed reference plate."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Permission
from labsys.errors import LabsysError
from labsys.plates.reference_plates import import_plate_references
from labsys.ui.context import engine, require_page, show_error
from labsys.ui.plate_context import (
    photo_store,
    pick_plate,
    reference_library,
    reread_reference_library,
)


def render() -> None:
    """Pick a plate with reference lanes and one of its photos; import its reference spots."""
    actor = require_page(Permission.MANAGE_REFERENCES)
    st.title("Import reference measurements")
    st.caption(
        "Lay out a plate with reference standards, photograph it on the plate photo page, then "
        "record its reference spots here. Every value is traced to the photo's SHA-256."
    )
    plate = pick_plate(actor, "references_plate")
    if plate is None:
        return
    photographed = sorted({p.visualisation for p in plate.photos if p.is_current})
    if not photographed:
        st.info("This plate has no photo yet.")
        return
    visualisation = st.selectbox("Photo", photographed, key="references_visualisation")
    if not st.button("Import reference lanes", type="primary", key="references_import"):
        return
    library = reference_library()
    try:
        written = import_plate_references(
            engine(), actor, plate.id, visualisation, library, store=photo_store()
        )
    except LabsysError as error:
        show_error(error)
        return
    reread_reference_library()
    if not written:
        st.info("Nothing new: no reference spot found, or this photo was imported before.")
    for path in written:
        st.success(f"Recorded {path.name} ({path.parent.name})")
