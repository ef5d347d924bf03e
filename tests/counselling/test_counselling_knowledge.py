"""The shipped knowledge base loads, and every reviewer's mistake stops the load with a clear
message naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from labsys.counselling.knowledge import KNOWLEDGE_DIR, LANGUAGES, EntryKind, load_knowledge
from labsys.counselling.rules import CLASS_PREFIX
from labsys.counselling.substances import lookup
from labsys.errors import ReferenceDataError
from labsys.tlc.references import SubstanceClass

VALID_ENTRY = {
    "priority": 200,
    "when": {"found_any": ["levamisole"]},
    "referrals": ["doctor"],
    "sources": ["brief-advice"],
    "en": {
        "title": "Levamisole",
        "meaning": "A cut.",
        "risks": ["White blood cells."],
        "advice": ["See a doctor for fever."],
        "questions": ["What do you notice?"],
    },
    "fr": {
        "title": "Lévamisole",
        "meaning": "Un produit de coupe.",
        "risks": ["Globules blancs."],
        "advice": ["Voyez un médecin en cas de fièvre."],
        "questions": ["Que remarquez-vous ?"],
    },
}


def write_knowledge(root: Path, entry: dict, folder: str = "adulterants") -> Path:
    """A one-entry knowledge folder; returns the entry's path."""
    (root / "sources.yaml").write_text("brief-advice: labsys domain brief\n", encoding="utf-8")
    (root / "names.yaml").write_text("levamisole: {en: levamisole, fr: lévamisole}\n")
    (root / folder).mkdir(parents=True)
    path = root / folder / "levamisole.yaml"
    path.write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    return path


def test_every_shipped_file_loads_in_both_languages() -> None:
    kb = load_knowledge(KNOWLEDGE_DIR)
    files = sorted(KNOWLEDGE_DIR.glob("*/*.yaml"))
    assert len(kb.entries) == len(files) > 20
    assert {entry.kind for entry in kb.entries} == set(EntryKind)
    for entry in kb.entries:
        assert set(entry.text) == set(LANGUAGES)
        assert entry.sources


def test_every_substance_named_in_the_knowledge_base_is_in_the_reference_library() -> None:
    kb = load_knowledge(KNOWLEDGE_DIR)
    classes = {c.value for c in SubstanceClass}
    for entry in kb.entries:
        for term in entry.when.terms():
            if term.startswith(CLASS_PREFIX):
                assert term.removeprefix(CLASS_PREFIX) in classes, (entry.key, term)
            else:
                assert lookup(term) is not None, (entry.key, term)
    for substance in kb.names:
        found = lookup(substance)
        assert found is not None and found.name == substance, substance


def test_a_valid_entry_loads(tmp_path: Path) -> None:
    write_knowledge(tmp_path, VALID_ENTRY)
    (entry,) = load_knowledge(tmp_path).entries
    assert entry.key == "adulterants/levamisole"
    assert entry.kind is EntryKind.ADULTERANT
    assert entry.sources == ("labsys domain brief",)
    assert entry.text["fr"].title == "Lévamisole"


def broken(change: dict) -> dict:
    """VALID_ENTRY with ``change`` applied (dotted keys; None deletes)."""
    entry = yaml.safe_load(yaml.safe_dump(VALID_ENTRY))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        target = entry
        for part in parents:
            target = target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return entry


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"referrals": ["doctor", "massage"]}, "referrals.1", "naloxone"),
        ({"fr": None}, "fr", "Field required"),
        ({"sources": []}, "sources", "at least 1"),
        ({"sources": ["my-cousin"]}, "sources.0", "unknown source 'my-cousin'"),
        ({"en.advice": ["  "]}, "en.advice.0", "at least 1 character"),
        ({"fr.meaning": ""}, "fr.meaning", "at least 1 character"),
        ({"fr.questions": ["Une seule ?", "Deux ?"]}, "fr.questions", "translate each one"),
        ({"when": {}}, "when", "at least one condition"),
        ({"when": {"found_any": ["x"], "always": True}}, "when", "cannot be combined"),
        ({"when": {"category_any": ["great"]}}, "when.category_any.0", "as_expected"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_a_mistake_names_the_file_and_the_field(
    tmp_path: Path, change: dict, field: str, message: str
) -> None:
    path = write_knowledge(tmp_path, broken(change))
    with pytest.raises(ReferenceDataError) as error:
        load_knowledge(tmp_path)
    assert str(path) in str(error.value)
    assert f"field '{field}'" in str(error.value)
    assert message in str(error.value)


def test_an_unknown_kind_of_entry_is_refused(tmp_path: Path) -> None:
    path = write_knowledge(tmp_path, VALID_ENTRY, folder="rumours")
    with pytest.raises(ReferenceDataError, match="unknown kind of entry 'rumours'") as error:
        load_knowledge(tmp_path)
    assert str(path) in str(error.value)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = write_knowledge(tmp_path, VALID_ENTRY)
    path.write_text("en: [unclosed\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="cannot be read as YAML"):
        load_knowledge(tmp_path)


def test_a_names_file_without_french_is_refused(tmp_path: Path) -> None:
    write_knowledge(tmp_path, VALID_ENTRY)
    (tmp_path / "names.yaml").write_text("levamisole: {en: levamisole}\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"names.yaml: field 'levamisole'"):
        load_knowledge(tmp_path)
