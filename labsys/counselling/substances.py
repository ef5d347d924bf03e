"""The one place where counselling looks substances up.

Counselling needs three things about a substance: its canonical name, its synonyms (so "speed"
or "Cocaïne" resolve) and its class (so a rule can say "any opioid"). The substance catalogue
belongs to the reference library (:mod:`labsys.tlc.references`); this module only asks it, so
counselling never keeps a second catalogue that could drift from the lab's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from labsys.errors import ValidationError
from labsys.tlc.references import ReferenceLibrary, load_library


@dataclass(frozen=True)
class SubstanceInfo:
    """What counselling knows about one substance.

    Attributes
    ----------
    name
        Canonical name, as the reference library spells it.
    substance_class
        The library's class (``"opioid"``, ``"stimulant"``, ``"cutting_agent"`` …).
    """

    name: str
    substance_class: str


@cache
def _library() -> ReferenceLibrary:
    """The reference library, read once per process (it is read-only while the app runs)."""
    return load_library()


def lookup(name: str) -> SubstanceInfo | None:
    """Find a substance by name or synonym, ignoring case and accents.

    Parameters
    ----------
    name
        Name or synonym.

    Returns
    -------
    SubstanceInfo or None
        None when the reference library does not know the name.
    """
    substance = _library().find(name)
    if substance is None:
        return None
    return SubstanceInfo(name=substance.name, substance_class=str(substance.substance_class))


def resolve(name: str) -> SubstanceInfo:
    """Like :func:`lookup`, but an unknown name is an error a volunteer can act on.

    Raises
    ------
    ValidationError
        When the name is not in the reference library.
    """
    info = lookup(name)
    if info is None:
        raise ValidationError(
            f"Unknown substance {name.strip()!r}: not in the reference library "
            "(check the spelling, or add it to reference_spectra/substances/)."
        )
    return info
