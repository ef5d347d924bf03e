"""Sign-in page."""

from __future__ import annotations

import streamlit as st

from labsys.auth import sign_in
from labsys.config import load_settings
from labsys.demo import DEMO_PASSWORDS
from labsys.errors import LabsysError
from labsys.ui.context import engine, set_actor, show_error


def render() -> None:
    """Ask for a user name and password."""
    st.title("labsys")
    st.caption("Drug checking by thin-layer chromatography")
    reason = st.session_state.pop("signed_out_reason", None)
    if reason:
        st.info(reason)
    with st.form("sign_in"):
        username = st.text_input("User name", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            actor = sign_in(engine(), username, password)
        except LabsysError as error:
            show_error(error)
        else:
            set_actor(actor)
            st.rerun()
    if load_settings().demo:
        with st.expander("Demo accounts"):
            st.table(
                {
                    "user": [r.value for r in DEMO_PASSWORDS],
                    "password": list(DEMO_PASSWORDS.values()),
                }
            )
