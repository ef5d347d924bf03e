"""Plate layout: which lane of a plate holds which sample or reference standard.

A plate is developed in one solvent system and photographed once per visualisation (UV 254,
UV 366, then stains). Several samples share a plate, next to reference standards spotted at known
amounts; identification compares each sample spot with those standards. The layout is saved as a
small JSON file next to the photos, so the model knows nothing of the database.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Self

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from labsys.errors import ValidationError
from labsys.tlc.references import ReferenceLibrary

LAYOUT_VERSION = 1
EARLIEST_PLATE_DATE = date(1950, 1, 1)
"""TLC as a standard technique dates from the 1950s; an earlier date is a typing mistake."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReferenceStandard(_Model):
    """A reference substance spotted at a known amount."""

    substance: str = Field(min_length=1)
    amount_ug: float = Field(gt=0, le=1000)


class LaneAssignment(_Model):
    """What was spotted in one lane (``index`` 0 is the leftmost lane of the upright photo).

    ``spotted_amount_ug`` is the amount of sample material in the spot (weighed amount ÷ volume of
    solvent × volume spotted); it is needed only for a purity estimate.
    """

    index: int = Field(ge=0, le=99)
    sample_code: str | None = Field(default=None, min_length=1, max_length=40)
    reference: ReferenceStandard | None = None
    spotted_amount_ug: float | None = Field(default=None, gt=0, le=10000)

    @model_validator(mode="after")
    def _one_content(self) -> Self:
        if (self.sample_code is None) == (self.reference is None):
            raise ValueError("give either sample_code or reference, not both or neither")
        if self.reference is not None and self.spotted_amount_ug is not None:
            raise ValueError("spotted_amount_ug is for sample lanes; references use amount_ug")
        return self

    @property
    def is_reference(self) -> bool:
        """True for a reference-standard lane."""
        return self.reference is not None


class PlateLayout(_Model):
    """One developed plate: system, plate, lanes and the visualisations photographed."""

    version: int = LAYOUT_VERSION
    plate_id: str = Field(min_length=1, max_length=60)
    system: str = Field(min_length=1)
    plate_type: str = "silica gel 60 F254"
    lot: str | None = None
    development_distance_mm: float = Field(gt=0, le=300)
    date: date
    visualisations: list[str] = Field(min_length=1)
    lanes: list[LaneAssignment] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version != LAYOUT_VERSION:
            raise ValueError(f"must be {LAYOUT_VERSION}")
        return version

    @field_validator("date")
    @classmethod
    def _plausible_date(cls, day: date) -> date:
        if day > date.today():
            raise ValueError("is in the future")
        if day < EARLIEST_PLATE_DATE:
            raise ValueError(f"is before {EARLIEST_PLATE_DATE.isoformat()}")
        return day

    @field_validator("visualisations")
    @classmethod
    def _distinct_visualisations(cls, names: list[str]) -> list[str]:
        for name in names:
            if not name.isidentifier() or name != name.lower():
                raise ValueError(f"{name!r}: use lower-case names like uv254, uv366, iodoplatinate")
        if len(set(names)) != len(names):
            raise ValueError("a visualisation is listed twice")
        return names

    @field_validator("lanes")
    @classmethod
    def _distinct_lanes(cls, lanes: list[LaneAssignment]) -> list[LaneAssignment]:
        indices = [lane.index for lane in lanes]
        duplicates = sorted({i for i in indices if indices.count(i) > 1})
        if duplicates:
            raise ValueError(f"lane {duplicates[0]} is assigned twice")
        return sorted(lanes, key=lambda lane: lane.index)

    def lane(self, index: int) -> LaneAssignment | None:
        """The assignment of lane ``index``, or None when nothing was spotted there."""
        return next((lane for lane in self.lanes if lane.index == index), None)

    @property
    def lane_count(self) -> int:
        """How many lanes the photo shows (the highest assigned index + 1)."""
        return max(lane.index for lane in self.lanes) + 1

    def check_against(self, library: ReferenceLibrary) -> PlateLayout:
        """Check the system and reference substances exist; return the layout with canonical names.

        Raises
        ------
        ValidationError
            Naming the field (``system`` or ``lanes.2.reference.substance``).
        """
        if self.system not in library.systems:
            known = ", ".join(sorted(library.systems))
            raise ValidationError(
                f"system: unknown solvent system {self.system!r} (known: {known})"
            )
        lanes = []
        for position, lane in enumerate(self.lanes):
            if lane.reference is None:
                lanes.append(lane)
                continue
            substance = library.find(lane.reference.substance)
            if substance is None:
                raise ValidationError(
                    f"lanes.{position}.reference.substance: {lane.reference.substance!r} is not "
                    "in the reference library"
                )
            reference = lane.reference.model_copy(update={"substance": substance.name})
            lanes.append(lane.model_copy(update={"reference": reference}))
        return self.model_copy(update={"lanes": lanes})


def parse_layout(data: object, library: ReferenceLibrary | None = None) -> PlateLayout:
    """Validate a layout given as plain data (parsed JSON).

    Raises
    ------
    ValidationError
        Naming the first offending field, e.g. ``lanes.1.reference.amount_ug: ...``.
    """
    try:
        layout = PlateLayout.model_validate(data)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "(layout)"
        message = error["msg"].removeprefix("Value error, ")
        raise ValidationError(f"{where}: {message}") from exc
    return layout if library is None else layout.check_against(library)


def load_layout(path: str | Path, library: ReferenceLibrary | None = None) -> PlateLayout:
    """Read and validate a layout JSON file; errors start with the file name."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"{path}: cannot be read: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"{path}: cannot be read as JSON: {exc}") from exc
    try:
        return parse_layout(data, library)
    except ValidationError as exc:
        raise ValidationError(f"{path}: {exc}") from exc


def save_layout(layout: PlateLayout, path: str | Path) -> None:
    """Write ``layout`` as indented JSON (readable in a text editor, stable in version control)."""
    text = json.dumps(layout.model_dump(mode="json", exclude_none=True), indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")
