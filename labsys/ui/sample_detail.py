"""One sample: its intake record, timeline, label and the actions the user's role allows."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor, Permission
from labsys.errors import LabsysError
from labsys.samples import allowed_transitions, get_sample, label_pdf, move_sample
from labsys.samples.models import Sample
from labsys.samples.views import sample_details, sample_timeline
from labsys.samples.workflow import State, needs_reason
from labsys.ui.actions import attempt, flash, seen_version
from labsys.ui.context import read, require_page, show_error, show_fields


def render() -> None:
    """Open a sample by code (typed, scanned or chosen in the list)."""
    actor = require_page(Permission.VIEW_SAMPLES)
    st.title("Sample")
    flash()
    code = st.text_input(
        "Sample code",
        value=st.session_state.get("open_code", ""),
        placeholder="7K3M-9QXR-T",
        key="detail_code_input",
    )
    if not code.strip():
        st.info("Type or scan a sample code.")
        return
    try:
        sample, timeline = read(
            lambda s: (get_sample(s, actor, code), sample_timeline(s, actor, code))
        )
    except LabsysError as error:
        show_error(error)
        return
    st.session_state["open_code"] = sample.code
    st.subheader(sample.code)
    details, actions = st.columns([3, 2])
    show_fields(details, sample_details(sample))
    with actions:
        _actions(actor, sample)
        st.download_button(
            "Print label (PDF)",
            label_pdf(sample.code, received_on=sample.received_on, form=sample.form),
            file_name=f"label-{sample.code}.pdf",
            mime="application/pdf",
        )
    st.subheader("Timeline")
    st.dataframe([entry.__dict__ for entry in timeline], hide_index=True, use_container_width=True)


def _actions(actor: Actor, sample: Sample) -> None:
    current = State(sample.state)
    targets = allowed_transitions(current, actor)
    if not targets:
        st.caption("No action available to your role in this state.")
        return
    # The version the person is looking at travels with the action: if someone else changes the
    # sample meanwhile, the move is refused instead of overwriting their change.
    key = f"sample_{sample.code}"
    seen = seen_version(key, sample.version)
    with st.form(f"move_{sample.code}"):
        target = st.radio("Move to", targets, format_func=lambda s: s.label, key="move_target")
        reason = st.text_input("Reason (needed to stop, retest or correct)", key="move_reason")
        submitted = st.form_submit_button("Apply", type="primary")
    if submitted:
        if needs_reason(current, target) and not reason.strip():
            st.error(f"Please give a reason for moving to {target.label!r}.")
            return
        attempt(
            lambda s: move_sample(
                s, actor, sample.code, target, expected_version=seen, reason=reason
            ),
            f"{sample.code} moved to {target.label}.",
            seen=key,
        )
