"""Both languages carry every label, and every category, referral, confidence and kind has one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import labsys
from labsys.counselling.i18n import TRANSLATIONS, t
from labsys.counselling.knowledge import Referral
from labsys.results.categories import ResultCategory
from labsys.results.models import Confidence, FindingKind


def test_both_languages_have_the_same_keys() -> None:
    assert set(TRANSLATIONS["en"]) == set(TRANSLATIONS["fr"])
    for table in TRANSLATIONS.values():
        assert all(text.strip() for text in table.values())


def test_every_category_referral_confidence_and_kind_has_a_label() -> None:
    for lang in TRANSLATIONS:
        for category in ResultCategory:
            assert t(f"category.{category}", lang)
        for referral in Referral:
            assert t(f"referral.{referral}", lang)
        for confidence in Confidence:
            assert t(f"confidence.{confidence}", lang)
        for kind in FindingKind:
            assert t(f"kind.{kind}", lang)


def test_french_labels() -> None:
    assert t("referral.consumption_room", "fr") == "Salle de consommation à moindre risque"
    assert t("referral.hcv_hiv_testing", "fr") == "Dépistage de l'hépatite C et du VIH"
    assert t("confidence.low", "fr") == "possible, sans certitude"
    assert t("close_sample", "fr") == "Clôturer l'échantillon"


def test_no_label_invites_notes_about_the_person() -> None:
    """The conversation record has no free text, so no page asks for notes."""
    assert not any("notes" in key for key in TRANSLATIONS["en"])


def test_a_missing_key_or_language_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="no en translation for 'nope'"):
        t("nope", "en")
    with pytest.raises(KeyError, match="language 'de'"):
        t("print_card", "de")  # type: ignore[arg-type]


def test_every_label_key_the_code_uses_exists() -> None:
    """Literal keys passed to ``t`` anywhere that imports it (the counsellor pages included)."""
    root = Path(labsys.__file__).parent
    users = [
        path
        for path in root.rglob("*.py")
        if "counselling.i18n import" in path.read_text(encoding="utf-8")
    ]
    assert users, "no module uses the counsellor labels"
    for path in users:
        for key in re.findall(r"\bt\(\s*[\"']([a-z_.]+)[\"']", path.read_text(encoding="utf-8")):
            assert key in TRANSLATIONS["en"], f"{path}: {key!r}"
