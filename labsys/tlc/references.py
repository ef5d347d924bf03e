"""The reference library: solvent systems and substances, read from plain YAML files.

The library lives in ``reference_spectra/`` (see its ``README.md``): one file per solvent system in
``systems/``, one per substance in ``substances/``, and the lab's own measurements of reference
standards in ``measured/<system>/<substance>.yaml``. Every figure carries its source; a figure with
no published source is left empty and the lab measures it on its own plates. Lab-measured values
are preferred over literature values in the system they were measured in, because they come from
the lab's own plates, tank and solvent batch.

Every file is validated on load; an error names the file and the field, so whoever edits the file
can fix it without reading code.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TypeVar

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from labsys.errors import ReferenceDataError

FORMAT_VERSION = 1
"""The file format version this code reads; every file says which version it is written in."""

VisualisationName = str
"""``uv254``, ``uv366`` or a stain (``iodoplatinate``, ``dragendorff``, ``marquis``, ...)."""

_VISUALISATION_PATTERN = r"^[a-z][a-z0-9_]*$"
_M = TypeVar("_M", bound=BaseModel)


class SubstanceClass(StrEnum):
    """What kind of substance, in the words drug-checking services use."""

    STIMULANT = "stimulant"
    ENTACTOGEN = "entactogen"
    CATHINONE = "cathinone"
    OPIOID = "opioid"
    OPIUM_ALKALOID = "opium_alkaloid"
    DISSOCIATIVE = "dissociative"
    PSYCHEDELIC = "psychedelic"
    BENZODIAZEPINE = "benzodiazepine"
    SEDATIVE = "sedative"
    LOCAL_ANAESTHETIC = "local_anaesthetic"
    CUTTING_AGENT = "cutting_agent"
    MEDICINE = "medicine"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SourcedHrf(_Model):
    """An hRf (Rf × 100) with the document it comes from."""

    hrf: float = Field(ge=0, le=100)
    source: str = Field(min_length=3)


class Behaviour(_Model):
    """How a substance shows under one visualisation.

    ``response`` is ``dark`` (quenches UV 254 or takes a stain), ``bright`` (fluoresces) or ``none``
    (invisible). ``colour`` is the stain colour in words, for people; matching by colour is done
    against co-spotted references on the same photo, never against these words.
    """

    response: Literal["dark", "bright", "none"]
    colour: str | None = None
    source: str = Field(min_length=3)


class Resolution(_Model):
    """The smallest hRf difference at which two substances are told apart in a system."""

    min_delta_hrf: float = Field(gt=0, le=50)
    source: str = Field(min_length=3)


class ReferenceCompound(_Model):
    """One of a system's listed reference compounds, used to correct Rf (RfC)."""

    substance: str
    hrf: float = Field(ge=0, le=100)
    source: str = Field(min_length=3)


class SolventSystem(_Model):
    """A TLC system: plate, mobile phase, listed reference compounds, resolution."""

    version: int
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")
    name: str
    mobile_phase: str
    plate: str
    koh_treated: bool
    source: str = Field(min_length=3)
    reference_compounds: list[ReferenceCompound] = Field(default_factory=list)
    resolution: Resolution


class Measurement(_Model):
    """One reference standard measured on one of the lab's plates."""

    hrf: float = Field(ge=0, le=100)
    date: date
    plate: str
    photo_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    amount_ug: float | None = Field(default=None, gt=0)
    visualisation: str = Field(pattern=_VISUALISATION_PATTERN)
    appearance: Literal["dark", "bright"]
    colour: tuple[int, int, int]
    integrated_intensity: float
    densitogram: list[float] = Field(default_factory=list)
    """Lane profile resampled at hRf 0, 1, ..., 100 (contrast against the layer)."""


class MeasuredFile(_Model):
    """``measured/<system>/<substance>.yaml``: the lab's own measurements in one system."""

    version: int
    system: str
    substance: str
    measurements: list[Measurement] = Field(min_length=1)

    @property
    def hrf(self) -> float:
        """Median over plates, robust to one poorly developed plate."""
        return statistics.median(m.hrf for m in self.measurements)


class Substance(_Model):
    """A substance with its Rf values per system and its behaviour per visualisation."""

    version: int
    name: str = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    substance_class: SubstanceClass = Field(alias="class")
    alarming: bool
    alarming_reason: str | None = None
    rf: dict[str, SourcedHrf | None] = Field(default_factory=dict)
    visualisation: dict[str, Behaviour] = Field(default_factory=dict)
    measured: dict[str, MeasuredFile] = Field(default_factory=dict, exclude=True)
    """Filled from ``measured/`` at load time, keyed by system code."""

    @model_validator(mode="after")
    def _alarming_needs_reason(self) -> Substance:
        if self.alarming and not self.alarming_reason:
            raise ValueError("alarming_reason: say why this substance is alarming")
        return self

    def hrf(self, system: str) -> HrfValue | None:
        """The hRf to expect in ``system``: the lab's measurement if any, else the literature."""
        if system in self.measured:
            measured = self.measured[system]
            n = len(measured.measurements)
            return HrfValue(measured.hrf, f"lab-measured on {n} plate(s)", lab_measured=True)
        listed = self.rf.get(system)
        if listed is None:
            return None
        return HrfValue(listed.hrf, listed.source, lab_measured=False)


@dataclass(frozen=True)
class HrfValue:
    """An expected hRf and where it comes from."""

    hrf: float
    source: str
    lab_measured: bool


@dataclass
class ReferenceLibrary:
    """All substances and systems, looked up by name, synonym or code."""

    substances: dict[str, Substance]
    systems: dict[str, SolventSystem]
    path: Path | None = None
    _names: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for substance in self.substances.values():
            for name in (substance.name, *substance.synonyms):
                self._names.setdefault(normalise_name(name), substance.name)

    def find(self, name_or_synonym: str) -> Substance | None:
        """The substance called ``name_or_synonym`` (case and accents ignored), or None."""
        key = self._names.get(normalise_name(name_or_synonym))
        return None if key is None else self.substances[key]

    def with_values_in(self, system: str) -> list[Substance]:
        """Substances with an expected hRf in ``system`` (literature or lab-measured)."""
        return [s for s in self.substances.values() if s.hrf(system) is not None]


def normalise_name(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, for look-ups."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", plain.casefold()).strip()


def file_stem(name: str) -> str:
    """The file name (without ``.yaml``) a substance is stored under: ``6-MAM`` → ``6-mam``."""
    return re.sub(r"[^a-z0-9]+", "-", normalise_name(name)).strip("-")


def load_library(path: str | Path | None = None) -> ReferenceLibrary:
    """Read and validate the whole reference library.

    Parameters
    ----------
    path
        The library folder; defaults to ``load_settings().reference_dir``.

    Returns
    -------
    ReferenceLibrary

    Raises
    ------
    ReferenceDataError
        When a file is malformed or the files contradict each other; the message names the file
        and the field.
    """
    if path is None:
        from labsys.config import load_settings

        path = load_settings().reference_dir
    root = Path(path)
    if not (root / "substances").is_dir() or not (root / "systems").is_dir():
        raise ReferenceDataError(
            f"{root}: not a reference library (needs substances/ and systems/)"
        )
    systems = _load_all(root, "systems", SolventSystem, key=lambda s: s.code)
    substances = _load_all(root, "substances", Substance, key=lambda s: s.name)
    measured = _load_measured(root)
    _check_consistency(root, systems, substances, measured)
    for (system, name), measured_file in measured.items():
        substance = substances[name]
        substances[name] = substance.model_copy(
            update={"measured": {**substance.measured, system: measured_file}}
        )
    return ReferenceLibrary(substances=substances, systems=systems, path=root)


def _display(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read_yaml(root: Path, path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{_display(root, path)}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{_display(root, path)}: expected a mapping of fields")
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise ReferenceDataError(
            f"{_display(root, path)}: version: must be {FORMAT_VERSION} (found {version!r})"
        )
    return data


def _parse(root: Path, path: Path, model: type[_M]) -> _M:
    data = _read_yaml(root, path)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "(file)"
        message = error["msg"].removeprefix("Value error, ")
        raise ReferenceDataError(f"{_display(root, path)}: {where}: {message}") from exc


def _load_all(root: Path, folder: str, model: type[_M], key: Callable[[_M], str]) -> dict[str, _M]:
    loaded: dict[str, _M] = {}
    for path in sorted((root / folder).glob("*.yaml")):
        item = _parse(root, path, model)
        name = key(item)
        if name in loaded:
            raise ReferenceDataError(f"{_display(root, path)}: name: {name!r} is defined twice")
        loaded[name] = item
    return loaded


def _load_measured(root: Path) -> dict[tuple[str, str], MeasuredFile]:
    measured: dict[tuple[str, str], MeasuredFile] = {}
    for path in sorted((root / "measured").glob("*/*.yaml")):
        item = _parse(root, path, MeasuredFile)
        measured[(item.system, item.substance)] = item
    return measured


def _check_consistency(
    root: Path,
    systems: dict[str, SolventSystem],
    substances: dict[str, Substance],
    measured: dict[tuple[str, str], MeasuredFile],
) -> None:
    """Cross-file checks: names resolve, codes exist, reference values agree."""
    seen: dict[str, str] = {}
    for substance in substances.values():
        where = _display(root, root / "substances" / f"{file_stem(substance.name)}.yaml")
        for name in (substance.name, *substance.synonyms):
            other = seen.setdefault(normalise_name(name), substance.name)
            if other != substance.name:
                raise ReferenceDataError(f"{where}: synonyms: {name!r} also names {other!r}")
        for code in substance.rf:
            if code not in systems:
                raise ReferenceDataError(f"{where}: rf.{code}: unknown solvent system")
        for name in substance.visualisation:
            if not re.match(_VISUALISATION_PATTERN, name):
                raise ReferenceDataError(
                    f"{where}: visualisation.{name}: use lower-case names like uv254"
                )
    for system in systems.values():
        where = _display(root, root / "systems" / f"{system.code}.yaml")
        for i, compound in enumerate(system.reference_compounds):
            substance = substances.get(compound.substance)
            if substance is None:
                raise ReferenceDataError(
                    f"{where}: reference_compounds.{i}.substance: no substance file for "
                    f"{compound.substance!r}"
                )
            listed = substance.rf.get(system.code)
            if listed is None or listed.hrf != compound.hrf:
                raise ReferenceDataError(
                    f"{where}: reference_compounds.{i}.hrf: {compound.hrf:g} disagrees with "
                    f"substances/{file_stem(substance.name)}.yaml rf.{system.code}"
                )
    for code, name in measured:
        where = _display(root, root / "measured" / code / f"{file_stem(name)}.yaml")
        if code not in systems:
            raise ReferenceDataError(f"{where}: system: unknown solvent system {code!r}")
        if name not in substances:
            raise ReferenceDataError(f"{where}: substance: unknown substance {name!r}")
