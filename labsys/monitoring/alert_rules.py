"""Alert rules as data: ``alerts/rules.yaml``, edited by coordinators, validated on load.

Four kinds of rule (see ``alerts/README.md``):

``detection``
    any confirmed finding of a listed substance (fentanyl, nitazenes, xylazine, ...);
``mismatch``
    a sample sold as one thing found to contain another (sold as MDMA, found PMMA);
``prevalence``
    the share of samples sold as X containing adulterant Y over a rolling window rises above its
    baseline (the period just before) by a margin, with a minimum number of samples;
``high_purity``
    the expected substance found at a listed purity band (high-dose tablets, strong heroin).

Substance names are checked against the reference library and stored in its spelling, the one
results use; a mistake stops loading with a message naming the file and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from labsys.config import PROJECT_ROOT
from labsys.errors import ReferenceDataError
from labsys.tlc.references import ReferenceLibrary, load_library

RULES_FILE = PROJECT_ROOT / "alerts" / "rules.yaml"
FORMAT_VERSION = 1

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
SoldAs = Annotated[str, Field(min_length=1, max_length=80)]
PurityBand = Literal["low", "medium", "high"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    """Short, unique, lower-case with dashes: it is part of every alert's evidence key."""


class DetectionRule(_Rule):
    """Alert on any confirmed finding of one of ``substances``."""

    kind: Literal["detection"]
    substances: list[str] = Field(min_length=1)


class MismatchRule(_Rule):
    """Alert when a sample sold as one of ``sold_as`` contains one of ``found``."""

    kind: Literal["mismatch"]
    sold_as: list[SoldAs] = Field(min_length=1)
    found: list[str] = Field(min_length=1)


class PrevalenceRule(_Rule):
    """Alert when ``adulterant`` in samples sold as ``sold_as`` rises above its baseline.

    The window is the last ``window_days`` days up to the day of the check; the baseline is the
    ``baseline_days`` before it. It fires when at least ``min_count`` samples in the window
    contain the adulterant and its share there exceeds the baseline share by ``margin_percent``
    percentage points.
    """

    kind: Literal["prevalence"]
    adulterant: str
    sold_as: list[SoldAs] = Field(min_length=1)
    window_days: int = Field(ge=1, le=366)
    baseline_days: int = Field(ge=1, le=3660)
    margin_percent: float = Field(gt=0, le=100)
    min_count: int = Field(ge=1)


class HighPurityRule(_Rule):
    """Alert when ``substance`` was the expected substance and its purity band is in ``bands``."""

    kind: Literal["high_purity"]
    substance: str
    bands: list[PurityBand] = Field(default=["high"], min_length=1)


_KINDS = ("detection", "mismatch", "prevalence", "high_purity")
"""``kind`` tags, left out of error locations: ``rules.2.substances``, not ``rules.2.detection``."""

AlertRule = Annotated[
    DetectionRule | MismatchRule | PrevalenceRule | HighPurityRule, Field(discriminator="kind")
]


class AlertRules(BaseModel):
    """The whole rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    lookback_days: int = Field(default=28, ge=1, le=366)
    """How far back the scheduled check looks for newly confirmed results."""
    rules: list[AlertRule] = Field(min_length=1)


def load_rules(path: Path = RULES_FILE, library: ReferenceLibrary | None = None) -> AlertRules:
    """Read and validate the alert rules.

    Parameters
    ----------
    path
        The rules file.
    library
        Where substance names are checked; the configured reference library by default.

    Raises
    ------
    ReferenceDataError
        The file is unreadable or a field is wrong; the message names the file and the field.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise ReferenceDataError(f"{path}: version: must be {FORMAT_VERSION}")
    try:
        rules = AlertRules.model_validate(data)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"] if part not in _KINDS)
        raise ReferenceDataError(f"{path}: {where}: {error['msg']}") from exc
    return _resolve_names(rules, library or load_library(), path)


def _resolve_names(rules: AlertRules, library: ReferenceLibrary, path: Path) -> AlertRules:
    """Check names against the library and spell them as it does; lower-case what was sold as."""
    seen: set[str] = set()
    resolved: list[AlertRule] = []
    for index, rule in enumerate(rules.rules):
        where = f"{path}: rules.{index}"
        if rule.name in seen:
            raise ReferenceDataError(f"{where}.name: {rule.name!r} is used twice")
        seen.add(rule.name)

        def canonical(name: str, field: str, where: str = where) -> str:
            substance = library.find(name)
            if substance is None:
                raise ReferenceDataError(
                    f"{where}.{field}: {name!r} is not in the reference library"
                )
            return substance.name

        update: dict[str, object] = {}
        match rule:
            case DetectionRule():
                update["substances"] = [
                    canonical(n, f"substances.{i}") for i, n in enumerate(rule.substances)
                ]
            case MismatchRule():
                update["found"] = [canonical(n, f"found.{i}") for i, n in enumerate(rule.found)]
            case PrevalenceRule():
                update["adulterant"] = canonical(rule.adulterant, "adulterant")
            case HighPurityRule():
                update["substance"] = canonical(rule.substance, "substance")
        if isinstance(rule, MismatchRule | PrevalenceRule):
            update["sold_as"] = [name.strip().lower() for name in rule.sold_as]
        resolved.append(rule.model_copy(update=update))
    return rules.model_copy(update={"rules": resolved})
