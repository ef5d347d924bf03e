"""The counselling knowledge base: plain YAML files under ``knowledge/``, loaded and checked.

The files are written and reviewed by counsellors, not programmers, so every mistake a reviewer can
make (a missing French text, a referral the service does not offer, a claim without a source) must
stop the load with a message that names the file and the field. See ``knowledge/README.md`` for
the layout; in short, ``knowledge/<kind>/<key>.yaml`` holds one entry with an ``en:`` and an
``fr:`` block side by side, ``knowledge/sources.yaml`` the citations and ``knowledge/names.yaml``
plain names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic import ValidationError as PydanticValidationError

from labsys.config import PROJECT_ROOT
from labsys.errors import ReferenceDataError
from labsys.results.categories import ResultCategory

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"

Lang = Literal["en", "fr"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)
Purity = Literal["low", "medium", "high"]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class EntryKind(StrEnum):
    """What an entry is keyed by; each kind is one folder under ``knowledge/``."""

    SUBSTANCE = "substances"
    ADULTERANT = "adulterants"
    COMBINATION = "combinations"
    MISMATCH = "mismatches"
    PURITY = "purity"
    RESULT = "results"
    GENERAL = "general"


class Referral(StrEnum):
    """The fixed list of things a counsellor can offer; labels live in :mod:`.i18n`."""

    NALOXONE = "naloxone"
    HCV_HIV_TESTING = "hcv_hiv_testing"
    STERILE_EQUIPMENT = "sterile_equipment"
    CONSUMPTION_ROOM = "consumption_room"
    TREATMENT = "treatment"
    DOCTOR = "doctor"
    WOUND_CARE = "wound_care"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntryText(_Strict):
    """One language's wording of an entry."""

    title: Text
    meaning: Text
    risks: tuple[Text, ...] = ()
    advice: tuple[Text, ...] = Field(min_length=1)
    questions: tuple[Text, ...] = Field(min_length=1)


Term = Text
"""A substance name or synonym, or ``class:<substance class>`` for every substance of that class."""


class Conditions(_Strict):
    """When an entry applies. Every condition given must hold; within one list, any item will do.

    Attributes
    ----------
    found_any
        Some substance found matches one of these terms.
    found_each
        Groups of terms; each group is matched by a different substance found (combinations).
    expected_any
        What the sample was sold as matches one of these terms.
    expected_none_of
        What the sample was sold as matches none of these terms (or nothing was said).
    category_any
        The result category is one of these.
    purity_any
        The purity band of the expected substance is one of these.
    always
        The entry applies to every result (general advice).
    """

    found_any: tuple[Term, ...] = ()
    found_each: tuple[tuple[Term, ...], ...] = ()
    expected_any: tuple[Term, ...] = ()
    expected_none_of: tuple[Term, ...] = ()
    category_any: tuple[ResultCategory, ...] = ()
    purity_any: tuple[Purity, ...] = ()
    always: bool = False

    @model_validator(mode="after")
    def _says_something(self) -> Conditions:
        given = [name for name, value in self if value]
        if not given:
            raise ValueError("give at least one condition, or 'always: true'")
        if self.always and len(given) > 1:
            raise ValueError("'always: true' cannot be combined with other conditions")
        return self

    def terms(self) -> tuple[Term, ...]:
        """Every substance or class term the conditions mention."""
        grouped = tuple(term for group in self.found_each for term in group)
        return self.found_any + grouped + self.expected_any + self.expected_none_of


class _EntryFile(_Strict):
    priority: int = Field(ge=0, le=999)
    when: Conditions
    referrals: tuple[Referral, ...] = ()
    sources: tuple[Slug, ...] = Field(min_length=1)
    en: EntryText
    fr: EntryText


@dataclass(frozen=True)
class Entry:
    """One checked knowledge entry.

    Attributes
    ----------
    key
        ``<kind>/<file name>``, e.g. ``adulterants/levamisole``; stable, so conversations
        can record it.
    kind
        What the entry is keyed by.
    priority
        Lower comes first in the counsellor's list (bands in ``knowledge/README.md``).
    when
        When it applies.
    referrals
        What to offer.
    sources
        Full citations, resolved from ``knowledge/sources.yaml``.
    text
        Wording per language.
    """

    key: str
    kind: EntryKind
    priority: int
    when: Conditions
    referrals: tuple[Referral, ...]
    sources: tuple[str, ...]
    text: dict[Lang, EntryText]


@dataclass(frozen=True)
class KnowledgeBase:
    """All entries (citations resolved) and the plain substance names per language."""

    entries: tuple[Entry, ...]
    names: dict[str, dict[Lang, str]]

    def plain_name(self, substance: str, lang: Lang) -> str:
        """The substance's plain name in ``lang`` (``names.yaml``), else its library name."""
        return self.names.get(substance, {}).get(lang, substance)


class _NamesFile(_Strict):
    en: Text
    fr: Text


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{path}: cannot be read as YAML ({exc})") from exc


def _field_error(path: Path, exc: PydanticValidationError) -> ReferenceDataError:
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(whole file)"
        problems.append(f"field '{field}': {error['msg']}")
    return ReferenceDataError(f"{path}: " + "; ".join(problems))


def _load_sources(directory: Path) -> dict[str, str]:
    path = directory / "sources.yaml"
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not raw:
        raise ReferenceDataError(f"{path}: expected a list of 'id: citation' lines")
    for source_id, citation in raw.items():
        if not isinstance(citation, str) or not citation.strip():
            raise ReferenceDataError(f"{path}: field '{source_id}': empty citation")
    return {str(k): v.strip() for k, v in raw.items()}


def _load_names(directory: Path) -> dict[str, dict[Lang, str]]:
    path = directory / "names.yaml"
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{path}: expected 'substance: {{en: ..., fr: ...}}' blocks")
    names: dict[str, dict[Lang, str]] = {}
    for substance, block in raw.items():
        try:
            checked = _NamesFile.model_validate(block)
        except PydanticValidationError as exc:
            raise ReferenceDataError(
                f"{path}: field '{substance}': {exc.errors()[0]['msg']}"
            ) from exc
        names[str(substance)] = {"en": checked.en, "fr": checked.fr}
    return names


def load_entry(path: Path, sources: dict[str, str]) -> Entry:
    """Read and check one entry file.

    Parameters
    ----------
    path
        ``knowledge/<kind>/<key>.yaml``; the folder gives the kind, the file name the key.
    sources
        Citation per source id.

    Raises
    ------
    ReferenceDataError
        Naming the file and the field: unknown kind (folder), unknown referral or source, a
        missing language, an empty text, lists of different lengths in English and French.
    """
    try:
        kind = EntryKind(path.parent.name)
    except ValueError:
        known = ", ".join(k.value for k in EntryKind)
        raise ReferenceDataError(
            f"{path}: unknown kind of entry '{path.parent.name}' (the folder); use one of {known}"
        ) from None
    raw = _read_yaml(path)
    try:
        checked = _EntryFile.model_validate(raw)
    except PydanticValidationError as exc:
        raise _field_error(path, exc) from exc
    for index, source_id in enumerate(checked.sources):
        if source_id not in sources:
            raise ReferenceDataError(
                f"{path}: field 'sources.{index}': unknown source '{source_id}' "
                "(add it to knowledge/sources.yaml)"
            )
    for field in ("risks", "advice", "questions"):
        if len(getattr(checked.en, field)) != len(getattr(checked.fr, field)):
            raise ReferenceDataError(
                f"{path}: field 'fr.{field}': {len(getattr(checked.fr, field))} items, "
                f"but 'en.{field}' has {len(getattr(checked.en, field))}; translate each one"
            )
    return Entry(
        key=f"{kind.value}/{path.stem}",
        kind=kind,
        priority=checked.priority,
        when=checked.when,
        referrals=checked.referrals,
        sources=tuple(sources[s] for s in checked.sources),
        text={"en": checked.en, "fr": checked.fr},
    )


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load and check every entry under ``directory``.

    Raises
    ------
    ReferenceDataError
        On the first malformed file, or when the folder holds no entries at all.
    """
    sources = _load_sources(directory)
    paths = sorted(p for p in directory.glob("*/*.yaml") if p.is_file())
    if not paths:
        raise ReferenceDataError(f"{directory}: no knowledge entries (*/*.yaml) found")
    entries = tuple(load_entry(path, sources) for path in paths)
    return KnowledgeBase(entries=entries, names=_load_names(directory))


@cache
def default_knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    return load_knowledge()
