"""What every page shares: the engine, the signed-in actor, the role check, error display."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from streamlit.delta_generator import DeltaGenerator

from labsys.auth import Actor, Permission
from labsys.config import load_settings
from labsys.db import make_engine, run_in_transaction
from labsys.errors import LabsysError
from labsys.ui.literal import literal

T = TypeVar("T")
IDLE_TIMEOUT_S = float(os.environ.get("LABSYS_IDLE_MINUTES", "30")) * 60
_ACTOR = "actor"
_LAST_SEEN = "last_seen"


@st.cache_resource
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The engine for the configured database (one per URL per server process)."""
    return _engine_for(load_settings().database_url)


def read(work: Callable[[Session], T]) -> T:
    """Run a page's read-only ``work`` (it never waits behind a writer on SQLite)."""
    return run_in_transaction(engine(), work, read_only=True)


def current_actor() -> Actor | None:
    """The signed-in actor, or None; an idle session is signed out."""
    actor: Actor | None = st.session_state.get(_ACTOR)
    now = time.monotonic()
    if actor is not None and now - st.session_state.get(_LAST_SEEN, now) > IDLE_TIMEOUT_S:
        sign_out()
        st.session_state["signed_out_reason"] = "You were signed out after a period of inactivity."
        return None
    st.session_state[_LAST_SEEN] = now
    return actor


def set_actor(actor: Actor) -> None:
    """Remember who signed in (UI state only; every service call checks the role again)."""
    st.session_state[_ACTOR] = actor
    st.session_state[_LAST_SEEN] = time.monotonic()


def sign_out() -> None:
    """Forget the signed-in actor and any page state."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def require_page(permission: Permission) -> Actor:
    """Stop the page unless the signed-in actor holds ``permission`` (checked on every run)."""
    actor = current_actor()
    if actor is None or not actor.can(permission):
        st.error("This page is not available to your role.")
        st.stop()
    return actor


def show_fields(container: DeltaGenerator, fields: dict[str, str]) -> None:
    """Show label → value pairs exactly as typed.

    ``st.table`` renders Markdown in its cells, so typed text (lab notes, "sold as") could turn into
    links, remote images or formatting; a dataframe shows every value literally.
    """
    container.dataframe(
        [{"field": label, "value": value} for label, value in fields.items()], hide_index=True
    )


def show_error(error: LabsysError) -> None:
    """Show an expected error as a message a person can act on.

    Messages often quote what was typed, so they are shown literally, never as Markdown.
    """
    st.error(literal(str(error)))
