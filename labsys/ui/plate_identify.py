"""What the spots of a plate are: ranked candidates per sample lane and each sample's draft."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Permission
from labsys.db import run_in_transaction
from labsys.errors import LabsysError
from labsys.plates.identification import identify_plate
from labsys.plates.views import candidate_rows
from labsys.ui.context import engine, require_page, show_error
from labsys.ui.plate_context import pick_plate, reference_library
from labsys.ui.proposal import propose_from_draft


def render() -> None:
    """Identify the chosen plate from its accepted analyses."""
    actor = require_page(Permission.LAB_WORK)
    st.title("Identify spots")
    plate = pick_plate(actor, "identify_plate")
    if plate is None:
        return
    library = reference_library()
    try:
        findings = run_in_transaction(
            engine(), lambda s: identify_plate(s, actor, plate.id, library)
        )
    except LabsysError as error:
        show_error(error)
        return
    identification = findings.identification
    for warning in identification.warnings:
        st.warning(warning)
    if identification.correction is not None:
        anchors = ", ".join(
            f"{a.substance} {a.measured_hrf:.0f}→{a.listed_hrf:.0f}"
            for a in identification.correction.anchors
        )
        st.caption(f"Rf corrected (RfC) by the references on the plate: {anchors}.")
    if not findings.drafts:
        st.info("This plate holds reference standards only.")
    for code, draft in findings.drafts.items():
        st.subheader(f"Sample {code}")
        st.text(f"Sold as: {draft.sold_as}")  # typed text, shown literally (no Markdown)
        st.dataframe(candidate_rows(findings, code), hide_index=True)
        st.markdown(f"**Draft result: {draft.category.label}**")
        for finding in draft.findings:
            st.markdown(f"- {finding.description}")
        for note in draft.notes:
            st.caption(note)
        if draft.needs_confirmation:
            st.warning("Send this sample for confirmation (GC-MS at an external lab).")
        st.info(draft.caveat)
        propose_from_draft(actor, draft)
