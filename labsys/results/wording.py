"""The counsellor page's words that :mod:`labsys.counselling.i18n` does not carry (yet), EN and FR.

Everything else the page says comes from the counselling labels; :func:`say` looks here first,
then there, so the page has one way to ask for a word. These few belong in the counselling labels
and can move there without the page changing.
"""

from __future__ import annotations

from labsys.counselling import i18n
from labsys.counselling.knowledge import Lang

EXTRA: dict[Lang, dict[str, str]] = {
    "en": {
        "confidence": "how sure",
        "confidence.high": "sure",
        "confidence.medium": "fairly sure",
        "confidence.low": "possible, not certain",
        "kind.expected": "what it was sold as",
        "kind.adulterant": "cut or added substance",
        "kind.other": "another substance",
        "scan_hint": "Type the code or scan the label.",
        "close_now": "Close the sample now (nothing more to do)",
        "recorded_on": "Conversation recorded on {when} by {who}.",
        "alerts": "Current alerts",
        "download_card": "Take-away card (PDF)",
        "save": "Record",
    },
    "fr": {
        "confidence": "certitude",
        "confidence.high": "sûr",
        "confidence.medium": "assez sûr",
        "confidence.low": "possible, sans certitude",
        "kind.expected": "le produit attendu",
        "kind.adulterant": "produit de coupe ou ajouté",
        "kind.other": "une autre substance",
        "scan_hint": "Tapez le code ou scannez l'étiquette.",
        "close_now": "Clôturer l'échantillon maintenant (plus rien à faire)",
        "recorded_on": "Entretien enregistré le {when} par {who}.",
        "alerts": "Alertes en cours",
        "download_card": "Carte à emporter (PDF)",
        "save": "Enregistrer",
    },
}


def say(key: str, lang: Lang) -> str:
    """The words for ``key`` in ``lang``, from this table or the counselling labels.

    Raises
    ------
    KeyError
        For a key neither knows: a programming mistake, caught by the tests.
    """
    if lang in EXTRA and key in EXTRA[lang]:
        return EXTRA[lang][key]
    return i18n.t(key, lang)
