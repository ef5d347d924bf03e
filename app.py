"""labsys web app: sign-in, then the pages the signed-in role may open."""

import streamlit as st

from labsys.ui import login
from labsys.ui.context import current_actor, sign_out
from labsys.ui.navigation import pages_for

st.set_page_config(page_title="labsys", page_icon=":material/science:", layout="wide")

actor = current_actor()
if actor is None:
    navigation = st.navigation([st.Page(login.render, title="Sign in", url_path="login")])
else:
    with st.sidebar:
        st.caption(f"Signed in as **{actor.username}** ({actor.role})")
        if st.button("Sign out"):
            sign_out()
            st.rerun()
    navigation = st.navigation(pages_for(actor))
navigation.run()
