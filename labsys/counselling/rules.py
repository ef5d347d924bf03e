"""Which counselling prompts a result calls for, and in what order.

The rules are data: each knowledge entry says when it applies (``when:``) and how urgent it is
(``priority:``); this module only evaluates those conditions against a result and sorts by priority.
So a counsellor who wants levamisole advice earlier, or a new entry for a new cut, edits a YAML
file, not code. The priority bands (documented in ``knowledge/README.md``) give the order the
service asked for: an opioid where none was expected, then dangerous finds, then a mismatch with
what was expected, then purity, then advice on each substance and combination, then advice for any
result. Every function here is pure: same result in, same prompts out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from labsys.counselling.knowledge import (
    LANGUAGES,
    Entry,
    EntryKind,
    KnowledgeBase,
    Lang,
    Purity,
    Referral,
    default_knowledge,
)
from labsys.counselling.substances import SubstanceInfo, lookup, resolve
from labsys.errors import ReferenceDataError, ValidationError
from labsys.results.categories import ResultCategory

PURITY_BANDS: tuple[Purity, ...] = ("low", "medium", "high")
CLASS_PREFIX = "class:"


@dataclass(frozen=True)
class Prompt:
    """One thing for the counsellor to bring up, in one language.

    Attributes
    ----------
    key
        The knowledge entry it comes from (``adulterants/levamisole``), recorded with conversations.
    kind
        What the entry is keyed by.
    title, text
        Heading and plain-language meaning.
    risks, advice, questions
        The risks, safer-use advice and open questions to start the conversation.
    referrals
        What to offer.
    sources
        Full citations.
    """

    key: str
    kind: EntryKind
    title: str
    text: str
    risks: tuple[str, ...]
    advice: tuple[str, ...]
    questions: tuple[str, ...]
    referrals: tuple[Referral, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PromptSet:
    """A result's category and the prompts it calls for, most urgent first.

    Attributes
    ----------
    category
        Given, or derived from expected and found.
    expected
        Canonical name of what the sample was sold as, or None.
    found
        Canonical names of what was found, in the order given, without repeats.
    purity
        Purity band of the expected substance, if measured.
    lang
        Language of the prompts.
    prompts
        Ordered prompts.
    """

    category: ResultCategory
    expected: str | None
    found: tuple[str, ...]
    purity: Purity | None
    lang: Lang
    prompts: tuple[Prompt, ...]

    @property
    def referrals(self) -> tuple[Referral, ...]:
        """Everything to offer, each once, in the order the prompts ask for it."""
        return tuple(dict.fromkeys(r for p in self.prompts for r in p.referrals))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (enums as their values), for ``--json`` and the audit trail."""
        return {
            "category": self.category.value,
            "expected": self.expected,
            "found": list(self.found),
            "purity": self.purity,
            "lang": self.lang,
            "prompts": [
                {
                    "key": p.key,
                    "kind": p.kind.value,
                    "title": p.title,
                    "text": p.text,
                    "risks": list(p.risks),
                    "advice": list(p.advice),
                    "questions": list(p.questions),
                    "referrals": [r.value for r in p.referrals],
                    "sources": list(p.sources),
                }
                for p in self.prompts
            ],
        }


def derive_category(expected: str | None, found: Sequence[str]) -> ResultCategory:
    """The result category from canonical names, as drug-checking services use them.

    Parameters
    ----------
    expected
        What the sample was sold as (canonical name), or None when the person did not say.
    found
        What was found (canonical names, no repeats).

    Returns
    -------
    ResultCategory
        Nothing found → nothing detected; the expected substance alone → as expected; with others
        → as expected with adulterant(s); others without it → a different substance.

    Raises
    ------
    ValidationError
        When something was found but nothing was expected: there is nothing to compare with, so the
        category must be given. (Inconclusive is never derived; the analyst gives it.)
    """
    if not found:
        return ResultCategory.NOTHING_DETECTED
    if expected is None:
        raise ValidationError(
            "Say what the sample was sold as, or give the result category: "
            "without it the result cannot be compared with anything."
        )
    if expected not in found:
        return ResultCategory.DIFFERENT_SUBSTANCE
    if len(found) == 1:
        return ResultCategory.AS_EXPECTED
    return ResultCategory.AS_EXPECTED_WITH_ADULTERANTS


def select_prompts(
    expected: str | None,
    found: Sequence[str],
    *,
    purity: Purity | None = None,
    category: ResultCategory | None = None,
    lang: Lang = "en",
    knowledge: KnowledgeBase | None = None,
) -> PromptSet:
    """The counselling prompts for one result, most urgent first.

    Parameters
    ----------
    expected
        What the sample was sold as: a name or synonym (``"speed"``), any case or accents; or None.
    found
        Names or synonyms of what was found; empty when nothing was detected.
    purity
        ``"low"``, ``"medium"`` or ``"high"`` for the expected substance, when measured.
    category
        The reviewed result category; derived with :func:`derive_category` when None.
    lang
        ``"en"`` or ``"fr"``.
    knowledge
        The knowledge base; the shipped one by default (tests pass their own).

    Returns
    -------
    PromptSet
        Sorted by the entries' priority, then key, so equal priorities always come out the same.

    Raises
    ------
    ValidationError
        For an unknown substance name, purity band or language, or a missing expectation (see
        :func:`derive_category`).
    """
    if lang not in LANGUAGES:
        raise ValidationError(f"Unknown language {lang!r}; use one of {', '.join(LANGUAGES)}.")
    if purity is not None and purity not in PURITY_BANDS:
        raise ValidationError(f"Unknown purity {purity!r}; use one of {', '.join(PURITY_BANDS)}.")
    kb = knowledge or default_knowledge()
    expected_info = resolve(expected) if expected is not None else None
    found_infos = tuple({info.name: info for info in map(resolve, found)}.values())
    found_names = tuple(info.name for info in found_infos)
    expected_name = expected_info.name if expected_info else None
    if category is None:
        category = derive_category(expected_name, found_names)
    result = _Result(expected_info, found_infos, category, purity)
    applying = sorted(
        (entry for entry in kb.entries if _applies(entry, result)),
        key=lambda entry: (entry.priority, entry.key),
    )
    return PromptSet(
        category=category,
        expected=expected_name,
        found=found_names,
        purity=purity,
        lang=lang,
        prompts=tuple(_prompt(entry, lang) for entry in applying),
    )


@dataclass(frozen=True)
class _Result:
    expected: SubstanceInfo | None
    found: tuple[SubstanceInfo, ...]
    category: ResultCategory
    purity: Purity | None


def _applies(entry: Entry, result: _Result) -> bool:
    """True when every condition the entry gives holds for the result."""
    when = entry.when
    if when.always:
        return True

    def matches(term: str, info: SubstanceInfo) -> bool:
        return _term_matches(term, info, entry.key)

    def any_term(terms: Sequence[str], info: SubstanceInfo | None) -> bool:
        return info is not None and any(matches(term, info) for term in terms)

    checks = []
    if when.found_any:
        checks.append(any(any_term(when.found_any, info) for info in result.found))
    if when.found_each:
        checks.append(_each_group_matched(when.found_each, result.found, matches))
    if when.expected_any:
        checks.append(any_term(when.expected_any, result.expected))
    if when.expected_none_of:
        checks.append(not any_term(when.expected_none_of, result.expected))
    if when.category_any:
        checks.append(result.category in when.category_any)
    if when.purity_any:
        checks.append(result.purity in when.purity_any)
    return all(checks)


def _term_matches(term: str, info: SubstanceInfo, entry_key: str) -> bool:
    """A ``class:`` term matches by class; any other term by the substance it names."""
    if term.startswith(CLASS_PREFIX):
        return info.substance_class == term.removeprefix(CLASS_PREFIX)
    named = lookup(term)
    if named is None:
        raise ReferenceDataError(
            f"knowledge/{entry_key}.yaml: field 'when': {term!r} is not in the reference library"
        )
    return named.name == info.name


def _each_group_matched(
    groups: Sequence[Sequence[str]],
    found: Sequence[SubstanceInfo],
    matches: Callable[[str, SubstanceInfo], bool],
) -> bool:
    """True when each group is matched by a different substance found (a small backtracking
    search; results hold a handful of substances)."""

    def assign(group_index: int, used: frozenset[int]) -> bool:
        if group_index == len(groups):
            return True
        return any(
            assign(group_index + 1, used | {i})
            for i, info in enumerate(found)
            if i not in used and any(matches(term, info) for term in groups[group_index])
        )

    return assign(0, frozenset())


def _prompt(entry: Entry, lang: Lang) -> Prompt:
    text = entry.text[lang]
    return Prompt(
        key=entry.key,
        kind=entry.kind,
        title=text.title,
        text=text.meaning,
        risks=text.risks,
        advice=text.advice,
        questions=text.questions,
        referrals=entry.referrals,
        sources=entry.sources,
    )
