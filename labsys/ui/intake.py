"""Intake: register an anonymous sample and print its label."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Permission
from labsys.db import run_in_transaction, utcnow
from labsys.errors import LabsysError
from labsys.samples import (
    LAB_NOTES_WARNING,
    Form,
    Intake,
    known_sites,
    label_pdf,
    label_png,
    register,
)
from labsys.ui.context import engine, read, require_page, show_error

COMMON_SOLD_AS = [
    "cocaine",
    "heroin",
    "mdma",
    "amphetamine",
    "methamphetamine",
    "ketamine",
    "3-mmc",
]


def render() -> None:
    """The intake form."""
    actor = require_page(Permission.REGISTER_SAMPLE)
    st.title("Register a sample")
    st.caption("Nothing about the person is recorded: the sample is known by its code only.")
    sites = read(lambda s: known_sites(s, actor))
    with st.form("intake", clear_on_submit=False):
        sold_as = st.selectbox(
            "Sold / expected as",
            COMMON_SOLD_AS,
            index=None,
            accept_new_options=True,
            placeholder="Choose or type",
            key="intake_sold_as",
        )
        form = st.selectbox("Form", [f.value for f in Form], key="intake_form")
        left, right = st.columns(2)
        colour = left.text_input("Colour", max_chars=40, key="intake_colour")
        logo = right.text_input("Tablet logo (if any)", max_chars=80, key="intake_logo")
        shape = left.text_input("Tablet shape (if any)", max_chars=40, key="intake_shape")
        site = right.text_input(
            "Site",
            value=sites[0] if len(sites) == 1 else "",
            max_chars=80,
            key="intake_site",
            help="Where the sample was handed in: " + ", ".join(sites) if sites else None,
        )
        received_on = left.date_input("Date received", value=utcnow().date(), key="intake_date")
        consent = st.checkbox(
            "The person agrees that the anonymised result is used for monitoring",
            key="intake_consent",
        )
        notes = st.text_area(
            "Lab notes",
            max_chars=500,
            help=LAB_NOTES_WARNING,
            key="intake_notes",
            placeholder=LAB_NOTES_WARNING,
        )
        submitted = st.form_submit_button("Register sample", type="primary")
    if submitted:
        intake = Intake(
            sold_as=sold_as or "",
            form=form,
            site=site or "",
            received_on=received_on,
            monitoring_consent=consent,
            colour=colour,
            logo=logo,
            shape=shape,
            lab_notes=notes,
        )
        try:
            sample = run_in_transaction(engine(), lambda s: register(s, actor, intake))
        except LabsysError as error:
            show_error(error)
        else:
            st.session_state["registered"] = (sample.code, sample.received_on, sample.form)
    if "registered" in st.session_state:
        code, received, form_name = st.session_state["registered"]
        st.success(f"Registered sample **{code}**. Write or stick this code on the tube.")
        png = label_png(code, received_on=received, form=form_name)
        st.image(png, caption="Label", width=300)
        left, right = st.columns(2)
        left.download_button(
            "Label (PDF)",
            label_pdf(code, received_on=received, form=form_name),
            file_name=f"label-{code}.pdf",
            mime="application/pdf",
        )
        right.download_button("Label (PNG)", png, file_name=f"label-{code}.png", mime="image/png")
