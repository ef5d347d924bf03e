"""The sample list: filter by state, site and date; search by code."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Permission
from labsys.errors import LabsysError
from labsys.samples import State, known_sites, list_samples
from labsys.samples.views import sample_row
from labsys.ui.context import read, require_page, show_error


def render() -> None:
    """Filters above a table; choosing a row opens the sample."""
    actor = require_page(Permission.VIEW_SAMPLES)
    st.title("Samples")
    sites = read(lambda s: known_sites(s, actor))
    code_col, state_col, site_col, date_col = st.columns([2, 3, 2, 3])
    code = code_col.text_input("Code", placeholder="e.g. 7K3M", key="list_code")
    states = state_col.multiselect(
        "State", list(State), format_func=lambda s: s.label, key="list_states"
    )
    site = site_col.selectbox("Site", sites, index=None, placeholder="All sites", key="list_site")
    dates = date_col.date_input("Received between", value=(), key="list_dates")
    received_from, received_to = (*dates, None, None)[:2]
    try:
        samples = read(
            lambda s: list_samples(
                s,
                actor,
                states=states or None,
                site=site,
                code=code,
                received_from=received_from,
                received_to=received_to,
            ),
        )
    except LabsysError as error:
        show_error(error)
        return
    if not samples:
        st.info("No sample matches these filters.")
        return
    rows = [sample_row(sample) for sample in samples]
    st.caption(f"{len(rows)} sample(s)")
    picked = st.dataframe(
        rows,
        hide_index=True,
        use_container_width=True,
        on_select="rerun",
        selection_mode="single-row",
        key="list_table",
    )
    selected = picked.selection.rows if picked else []
    if selected:
        st.session_state["open_code"] = rows[selected[0]]["code"]
        from labsys.ui.navigation import page  # the registry imports this module

        st.switch_page(page("sample"))
