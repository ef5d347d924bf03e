"""The take-away card says what was found and what to do, in the person's language, and nothing
that could identify them."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date

import pytest

from labsys.counselling.card import (
    ResultCard,
    _latin1,
    card_text,
    render_card_html,
    render_card_pdf,
)
from labsys.errors import ValidationError
from labsys.samples.codes import generate_code

CODE = generate_code()
LEVAMISOLE = ResultCard(CODE, date(2026, 11, 24), "cocaine", ("cocaine", "levamisole"))


def pdf_text(document: bytes) -> str:
    """The text shown on an uncompressed fpdf2 page, lines joined by spaces (no PDF library)."""
    shown = re.findall(rb"\((.*?)(?<!\\)\) Tj", document)
    unescaped = (re.sub(rb"\\(.)", rb"\1", s) for s in shown)
    return " ".join(s.decode("latin-1") for s in unescaped)


def test_pdf_shows_code_date_findings_advice_and_caveat() -> None:
    document = render_card_pdf(LEVAMISOLE, "en", compress=False)
    assert document.startswith(b"%PDF")
    text = pdf_text(document)
    assert CODE in text
    assert "2026-11-24" in text
    assert "As expected, with adulterant(s)" in text
    assert "- cocaine" in text and "- levamisole" in text
    assert "sore throat" in text and "white blood cells" in text
    assert "naloxone" in text
    assert "not everything" in text


def test_pdf_in_french_keeps_accents() -> None:
    text = pdf_text(render_card_pdf(LEVAMISOLE, "fr", compress=False))
    assert "- cocaïne" in text and "- lévamisole" in text
    assert "Ce que vous pouvez faire" in text
    assert "médecin" in text
    assert "chromatographie sur couche mince" in text


def test_pdf_text_is_written_in_the_built_in_fonts_characters() -> None:
    assert _latin1("cœur – « très » “fort”… 5 µg") == 'coeur - « très » "fort"... 5 µg'


def test_the_card_advice_comes_from_the_three_most_urgent_prompts() -> None:
    card = ResultCard(CODE, date(2026, 11, 24), "heroin", ("heroin", "fentanyl", "xylazine"))
    advice = card_text(card, "en").advice
    assert advice[0] == "Never use alone."
    assert any("wound" in item for item in advice)
    assert len(advice) == len(set(advice))


def test_nothing_detected_card() -> None:
    card = ResultCard(CODE, date(2026, 11, 24), "cocaine", ())
    text = card_text(card, "en")
    assert text.found == ("Nothing this method can see.",)
    assert dict(text.fields)["Result"] == "Expected substance not detected"


def test_html_page_is_complete_and_in_the_chosen_language() -> None:
    page = render_card_html(LEVAMISOLE, "fr")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert CODE in page
    assert "<li>lévamisole</li>" in page
    assert "Imprimer la carte à emporter" in page


def test_html_escapes_every_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from labsys.counselling import card as card_module

    original = card_module.card_text

    def hostile(card: ResultCard, lang: str) -> object:
        text = original(card, lang)  # type: ignore[arg-type]
        return type(text)(
            **{
                **{f.name: getattr(text, f.name) for f in fields(text)},
                "found": ("<script>alert(1)</script>",),
                "where": 'Tom & Jerry\'s "place"',
            }
        )

    monkeypatch.setattr(card_module, "card_text", hostile)
    page = render_card_html(LEVAMISOLE, "en")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Tom &amp; Jerry&#x27;s &quot;place&quot;" in page


def test_the_card_has_no_field_for_personal_data() -> None:
    names = {f.name for f in fields(ResultCard)}
    assert names == {"sample_code", "tested_on", "expected", "found", "category", "purity"}


def test_a_sample_code_must_be_a_real_code() -> None:
    card = ResultCard("Jean Dupont 0612345678", date(2026, 11, 24), "cocaine", ("cocaine",))
    with pytest.raises(ValidationError, match="sample code"):
        render_card_html(card, "en")
