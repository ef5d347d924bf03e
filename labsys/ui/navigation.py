"""Which pages each role sees. Pages check the role again themselves on every run."""

from __future__ import annotations

import streamlit as st

from labsys.auth import Actor, Permission
from labsys.ui import intake, sample_detail, sample_list


def _pages() -> dict[str, tuple[st.Page, Permission, str]]:
    return {
        "intake": (
            st.Page(intake.render, title="Register sample", icon=":material/science:", url_path="intake"),
            Permission.REGISTER_SAMPLE,
            "Samples",
        ),
        "samples": (
            st.Page(sample_list.render, title="Sample list", icon=":material/list:", url_path="samples"),
            Permission.VIEW_SAMPLES,
            "Samples",
        ),
        "sample": (
            st.Page(sample_detail.render, title="Sample", icon=":material/search:", url_path="sample"),
            Permission.VIEW_SAMPLES,
            "Samples",
        ),
    }


def page(name: str) -> st.Page:
    """The page registered under ``name`` (for st.switch_page)."""
    return _pages()[name][0]


def pages_for(actor: Actor) -> dict[str, list[st.Page]]:
    """The pages ``actor`` may open, grouped into sections."""
    sections: dict[str, list[st.Page]] = {}
    for page_, permission, section in _pages().values():
        if actor.can(permission):
            sections.setdefault(section, []).append(page_)
    return sections
