"""Running one person's action from a page: one transaction, an expected error shown, a note kept.

Pages rerun after an action so that what they show is read again from the database; the note
(:func:`flash`) survives that rerun so the person sees what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from labsys.db import run_in_transaction
from labsys.errors import LabsysError
from labsys.ui.context import engine, show_error

_FLASH = "action_flash"
V = TypeVar("V", int, int | None)


def seen_version(key: str, current: V) -> V:
    """The version the person first saw of what ``key`` names, kept until they act on it.

    Actions name this version, so a change someone else made meanwhile is refused rather than
    overwritten.
    """
    return st.session_state.setdefault(f"seen_{key}", current)


def forget_seen(key: str) -> None:
    """Forget the version kept under ``key`` once it was acted on (done or refused).

    The next run then remembers the record as it is now, as the person sees it.
    """
    st.session_state.pop(f"seen_{key}", None)


def attempt(work: Callable[[Session], object], done: str, *, seen: str | None = None) -> None:
    """Run ``work`` in a transaction; on success keep ``done`` for the next run and rerun.

    Either way the version seen under ``seen`` (if given) is forgotten: the next run shows the
    record as it is now.
    """
    if seen is not None:
        forget_seen(seen)
    try:
        run_in_transaction(engine(), work)
    except LabsysError as error:
        show_error(error)
        return
    st.session_state[_FLASH] = done
    st.rerun()


def flash() -> None:
    """Show (once) what the last action did."""
    done = st.session_state.pop(_FLASH, None)
    if done:
        st.success(done)
