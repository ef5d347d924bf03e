"""The take-away result card: what was found and what the person can do, on paper or a page.

The card is for the person to keep, so it carries nothing that could identify them: only the
sample code (checked, so no free text can slip into that field), the date of the test, the result
in plain words, the key advice (the advice of the three most urgent prompts), where to ask for
naloxone, testing and equipment, and the caveat that thin-layer chromatography does not see
everything. :class:`ResultCard` holds no language; each renderer asks the rules for the prompts in
the language wanted, so the same card prints in English or French.

The PDF uses fpdf2's built-in Helvetica: it needs no font file on the lab's computers and is
identical everywhere. Its Latin-1 character set covers every French accent, « », ° and µ; the few
typographic characters outside it (œ, curly quotes, dashes, ellipsis) are written in their plain
equivalents (oe, ', -, ...) on the PDF only; the HTML page keeps them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from labsys.counselling.i18n import t
from labsys.counselling.knowledge import Lang, Purity, default_knowledge
from labsys.counselling.rules import select_prompts
from labsys.results.categories import ResultCategory
from labsys.samples.codes import normalise_code

TOP_PROMPTS = 3
"""How many of the most urgent prompts give their advice to the card."""
A5_MM = (148, 210)
"""A5 portrait, given in millimetres (fpdf2's named "A5" warns about a past correction)."""


@dataclass(frozen=True)
class ResultCard:
    """What a take-away card shows, with no personal data by construction.

    Attributes
    ----------
    sample_code
        The sample's code; checked with :func:`labsys.samples.codes.normalise_code`.
    tested_on
        Date of the test.
    expected
        What the sample was sold as (name or synonym), or None.
    found
        What was found (names or synonyms); empty when nothing was detected.
    category
        The reviewed category; derived from ``expected``/``found`` when None.
    purity
        Purity band of the expected substance, when measured.
    """

    sample_code: str
    tested_on: date
    expected: str | None
    found: tuple[str, ...]
    category: ResultCategory | None = None
    purity: Purity | None = None


@dataclass(frozen=True)
class CardText:
    """The card's wording in one language, shared by the PDF and the HTML renderers."""

    lang: Lang
    title: str
    fields: tuple[tuple[str, str], ...]
    found_heading: str
    found: tuple[str, ...]
    advice_heading: str
    advice: tuple[str, ...]
    where_heading: str
    where: str
    caveat: str
    anonymous: str


def card_text(card: ResultCard, lang: Lang) -> CardText:
    """Everything the card says, in ``lang``.

    Raises
    ------
    ValidationError
        For a malformed sample code or an unknown substance (via :func:`select_prompts`).
    """
    code = normalise_code(card.sample_code)
    prompt_set = select_prompts(
        card.expected, card.found, purity=card.purity, category=card.category, lang=lang
    )
    knowledge = default_knowledge()
    found = tuple(knowledge.plain_name(name, lang) for name in prompt_set.found)
    advice = dict.fromkeys(
        item for prompt in prompt_set.prompts[:TOP_PROMPTS] for item in prompt.advice
    )
    return CardText(
        lang=lang,
        title=t("card.title", lang),
        fields=(
            (t("card.code", lang), code),
            (t("card.date", lang), card.tested_on.isoformat()),
            (t("card.result", lang), t(f"category.{prompt_set.category}", lang)),
        ),
        found_heading=t("card.found", lang),
        found=found or (t("card.nothing_found", lang),),
        advice_heading=t("card.advice", lang),
        advice=tuple(advice),
        where_heading=t("card.where", lang),
        where=t("card.where_text", lang),
        caveat=t("card.caveat", lang),
        anonymous=t("card.anonymous", lang),
    )


_PLAIN = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u202f": " ",
    }
)


def _latin1(text: str) -> str:
    """Text the PDF's built-in font can show (see the module notes)."""
    return text.translate(_PLAIN).encode("latin-1", errors="replace").decode("latin-1")


def render_card_pdf(card: ResultCard, lang: Lang, *, compress: bool = True) -> bytes:
    """The card as an A5 PDF.

    Parameters
    ----------
    card
        What to show.
    lang
        ``"en"`` or ``"fr"``.
    compress
        False leaves the page content readable in the file, so tests can find the text without a
        PDF library.

    Returns
    -------
    bytes
        The PDF document.
    """
    text = card_text(card, lang)
    pdf = FPDF(format=A5_MM, unit="mm")
    pdf.set_compression(compress)
    pdf.set_title(_latin1(text.title))
    pdf.set_lang(lang)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw

    def paragraph(body: str, size: float = 10, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, size * 0.5, _latin1(body), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def bullets(items: tuple[str, ...]) -> None:
        for item in items:
            paragraph(f"- {item}", gap=0.5)
        pdf.ln(1.5)

    paragraph(text.title, size=15, style="B", gap=3)
    for label, value in text.fields:
        paragraph(f"{label}{t('colon', lang)}{value}", size=11, gap=0.5)
    pdf.ln(2.5)
    paragraph(text.found_heading, size=12, style="B", gap=0.5)
    bullets(text.found)
    paragraph(text.advice_heading, size=12, style="B", gap=0.5)
    bullets(text.advice)
    paragraph(text.where_heading, size=12, style="B", gap=0.5)
    paragraph(text.where, gap=3)
    paragraph(text.caveat, size=9, style="I")
    paragraph(text.anonymous, size=9, style="I")
    return bytes(pdf.output())


_STYLE = """
body { font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.4; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-bottom: 0.2em; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
.small { font-size: 0.85em; font-style: italic; }
@page { size: A5; margin: 12mm; }
@media print { body { margin: 0; } .no-print { display: none; } }
"""


def render_card_html(card: ResultCard, lang: Lang) -> str:
    """The card as a printable, self-contained HTML page; every text is HTML-escaped.

    Parameters
    ----------
    card
        What to show.
    lang
        ``"en"`` or ``"fr"``.
    """
    text = card_text(card, lang)
    e = html.escape

    def items(values: tuple[str, ...]) -> str:
        return "".join(f"<li>{e(v)}</li>" for v in values)

    fields = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in text.fields)
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(text.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{e(text.title)}</h1>\n<dl>{fields}</dl>\n"
        f"<h2>{e(text.found_heading)}</h2>\n<ul>{items(text.found)}</ul>\n"
        f"<h2>{e(text.advice_heading)}</h2>\n<ul>{items(text.advice)}</ul>\n"
        f"<h2>{e(text.where_heading)}</h2>\n<p>{e(text.where)}</p>\n"
        f'<p class="small">{e(text.caveat)}</p>\n<p class="small">{e(text.anonymous)}</p>\n'
        f'<p class="no-print"><button onclick="window.print()">{e(t("print_card", lang))}'
        "</button></p>\n</body>\n</html>\n"
    )
