"""What the plate pages share: the photo store, the reference library and the plate picker."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from labsys.auth import Actor
from labsys.config import load_settings
from labsys.plates.models import Plate
from labsys.plates.service import get_plate, list_plates
from labsys.plates.views import plate_title
from labsys.storage.photos import PhotoStore
from labsys.tlc.references import ReferenceLibrary, load_library
from labsys.ui.context import read


@st.cache_resource
def _store_for(data_dir: Path) -> PhotoStore:
    store = PhotoStore(data_dir)
    store.clean_partial_uploads()  # once per server process: leftovers of a crashed upload
    return store


def photo_store() -> PhotoStore:
    """The photo store under the configured data dir."""
    return _store_for(load_settings().data_dir)


@st.cache_resource
def _library_at(path: Path) -> ReferenceLibrary:
    return load_library(path)


def reference_library() -> ReferenceLibrary:
    """The configured reference library, read once per server process."""
    return _library_at(load_settings().reference_dir)


def pick_plate(actor: Actor, key: str) -> Plate | None:
    """A plate chosen from the list (the last laid-out plate preselected), freshly loaded."""
    plates = read(lambda s: list_plates(s, actor))
    if not plates:
        st.info("No plate has been laid out yet.")
        return None
    titles = {plate.id: plate_title(plate) for plate in plates}
    wanted = st.session_state.get("open_plate_id")
    ids = list(titles)
    plate_id = st.selectbox(
        "Plate",
        ids,
        index=ids.index(wanted) if wanted in titles else 0,
        format_func=titles.__getitem__,
        key=key,
    )
    st.session_state["open_plate_id"] = plate_id
    return read(lambda s: get_plate(s, actor, plate_id))


def reread_reference_library() -> None:
    """Drop the cached library so that newly recorded measurements are used."""
    _library_at.clear()
