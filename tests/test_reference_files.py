"""Every figure in the shipped reference library says where it comes from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

LIBRARY = Path(__file__).resolve().parent.parent / "reference_spectra"
DATA_FILES = sorted(LIBRARY.rglob("*.yaml"))
FIGURES = {"hrf", "min_delta_hrf", "response"}
"""Fields that state a chemical or method value and so need a ``source`` beside them."""
TRACE = {"photo_sha256", "date", "plate"}
"""A lab measurement is sourced by the photo it was read from."""


def _mappings(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _mappings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _mappings(value, f"{where}.{i}")


def test_library_has_data_files_and_a_format_readme() -> None:
    assert len(DATA_FILES) > 40
    readme = (LIBRARY / "README.md").read_text(encoding="utf-8")
    assert "source" in readme and "measured/" in readme


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_every_figure_has_a_source(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data.get("version") == 1, f"{path.name}: top-level version"
    measured = path.relative_to(LIBRARY).parts[0] == "measured"
    for where, mapping in _mappings(data):
        figures = FIGURES & {k for k, v in mapping.items() if v is not None}
        if not figures:
            continue
        if measured:
            missing = {k for k in TRACE if not mapping.get(k)}
            assert not missing, f"{path.name}: {where}: measurement without {sorted(missing)}"
        else:
            source = mapping.get("source")
            assert isinstance(source, str) and len(source.strip()) >= 10, (
                f"{path.name}: {where}: {sorted(figures)} without a source"
            )


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_no_placeholder_or_benchmark_values(path: Path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    for word in ("hypothetical", "estimate", "todo", "tbd"):
        assert word not in text, f"{path.name}: contains {word!r}"
