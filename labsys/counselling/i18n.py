"""The counsellor pages' and the take-away card's words, in English and French.

Counsellors in France and Luxembourg work in French, others in English; the knowledge base carries
its own texts, and everything around it (labels, buttons, the card's fixed wording, result
categories, how sure a finding is, what can be offered) lives here, in one table per language so a
missing translation is caught by a test rather than by a person at the counter. French uses "vous"
and the words services use ("salle de consommation à moindre risque", "dépistage de l'hépatite C et
du VIH").
"""

from __future__ import annotations

from labsys.counselling.knowledge import LANGUAGES, Lang

_EN: dict[str, str] = {
    # Counsellor pages
    "page.title": "Counselling",
    "open_sample": "Open sample by code",
    "sample_code": "Sample code",
    "result": "Result",
    "sold_as": "Sold as",
    "found": "Found",
    "nothing_found": "Nothing the method can see",
    "purity": "Purity",
    "what_to_offer": "What to offer",
    "meaning": "What it means",
    "risks": "Risks",
    "advice": "Safer use",
    "questions": "Questions to open the conversation",
    "sources": "Sources",
    "record_conversation": "Record the conversation",
    "referrals_offered": "Referrals offered",
    "referrals_accepted": "Referrals accepted",
    "conversation_recorded": "Conversation recorded",
    "close_sample": "Close sample",
    "print_card": "Print take-away card",
    "language": "Language",
    "colon": ": ",
    "scan_hint": "Type the code or scan the label.",
    "alerts": "Current alerts",
    "close_now": "Close the sample now (nothing more to do)",
    "save": "Record",
    "recorded_on": "Conversation recorded on {when} by {who}.",
    "download_card": "Take-away card (PDF)",
    # How sure the lab is of a finding
    "confidence": "how sure",
    "confidence.high": "sure",
    "confidence.medium": "fairly sure",
    "confidence.low": "possible, not certain",
    # How a finding relates to what the sample was sold as
    "kind.expected": "what it was sold as",
    "kind.adulterant": "cut or added substance",
    "kind.other": "another substance",
    # Result categories
    "category.as_expected": "As expected",
    "category.as_expected_with_adulterants": "As expected, with adulterant(s)",
    "category.different_substance": "A different substance than expected",
    "category.nothing_detected": "Expected substance not detected",
    "category.inconclusive": "Inconclusive, sent for confirmation",
    # Purity bands
    "purity.low": "low",
    "purity.medium": "medium",
    "purity.high": "high",
    # What can be offered
    "referral.naloxone": "Naloxone and overdose training",
    "referral.hcv_hiv_testing": "Hepatitis C and HIV testing",
    "referral.sterile_equipment": "Sterile equipment",
    "referral.consumption_room": "Drug consumption room",
    "referral.treatment": "Treatment or care, if the person asks",
    "referral.doctor": "A doctor for symptoms",
    "referral.wound_care": "Wound care",
    # Take-away card
    "card.title": "Your drug-checking result",
    "card.code": "Sample code",
    "card.date": "Tested on",
    "card.result": "Result",
    "card.found": "What we found",
    "card.nothing_found": "Nothing this method can see.",
    "card.advice": "What you can do",
    "card.where": "Naloxone, testing, equipment",
    "card.where_text": (
        "Ask the team where to get naloxone and overdose training, hepatitis C and HIV testing, "
        "and sterile equipment near you. You decide what you want."
    ),
    "card.caveat": (
        "This test (thin-layer chromatography) shows what is in the sample, not everything that is "
        "in it: some cuts and substances are invisible to it. The result is for this sample only."
    ),
    "card.anonymous": "This card carries no name: only the sample code links it to the result.",
}

_FR: dict[str, str] = {
    "page.title": "Entretien",
    "open_sample": "Ouvrir un échantillon par son code",
    "sample_code": "Code de l'échantillon",
    "result": "Résultat",
    "sold_as": "Vendu comme",
    "found": "Trouvé",
    "nothing_found": "Rien de ce que la méthode peut voir",
    "purity": "Pureté",
    "what_to_offer": "Ce que l'on peut proposer",
    "meaning": "Ce que cela veut dire",
    "risks": "Risques",
    "advice": "Réduction des risques",
    "questions": "Questions pour ouvrir la conversation",
    "sources": "Sources",
    "record_conversation": "Enregistrer l'entretien",
    "referrals_offered": "Orientations proposées",
    "referrals_accepted": "Orientations acceptées",
    "conversation_recorded": "Entretien enregistré",
    "close_sample": "Clôturer l'échantillon",
    "print_card": "Imprimer la carte à emporter",
    "language": "Langue",
    "colon": " : ",
    "scan_hint": "Tapez le code ou scannez l'étiquette.",
    "alerts": "Alertes en cours",
    "close_now": "Clôturer l'échantillon maintenant (plus rien à faire)",
    "save": "Enregistrer",
    "recorded_on": "Entretien enregistré le {when} par {who}.",
    "download_card": "Carte à emporter (PDF)",
    "confidence": "certitude",
    "confidence.high": "sûr",
    "confidence.medium": "assez sûr",
    "confidence.low": "possible, sans certitude",
    "kind.expected": "le produit attendu",
    "kind.adulterant": "produit de coupe ou ajouté",
    "kind.other": "une autre substance",
    "category.as_expected": "Conforme",
    "category.as_expected_with_adulterants": "Conforme, avec produit(s) de coupe",
    "category.different_substance": "Un autre produit que celui attendu",
    "category.nothing_detected": "Produit attendu non détecté",
    "category.inconclusive": "Non concluant, envoyé pour confirmation",
    "purity.low": "faible",
    "purity.medium": "moyenne",
    "purity.high": "élevée",
    "referral.naloxone": "Naloxone et formation à la prévention des overdoses",
    "referral.hcv_hiv_testing": "Dépistage de l'hépatite C et du VIH",
    "referral.sterile_equipment": "Matériel stérile",
    "referral.consumption_room": "Salle de consommation à moindre risque",
    "referral.treatment": "Soins ou accompagnement, si la personne le demande",
    "referral.doctor": "Un médecin en cas de symptômes",
    "referral.wound_care": "Soins des plaies",
    "card.title": "Le résultat de votre analyse",
    "card.code": "Code de l'échantillon",
    "card.date": "Analysé le",
    "card.result": "Résultat",
    "card.found": "Ce que nous avons trouvé",
    "card.nothing_found": "Rien de ce que cette méthode peut voir.",
    "card.advice": "Ce que vous pouvez faire",
    "card.where": "Naloxone, dépistage, matériel",
    "card.where_text": (
        "Demandez à l'équipe où trouver de la naloxone et une formation à la prévention des "
        "overdoses, un dépistage de l'hépatite C et du VIH, et du matériel stérile près de chez "
        "vous. C'est vous qui décidez."
    ),
    "card.caveat": (
        "Cette analyse (chromatographie sur couche mince) montre ce que contient l'échantillon, "
        "pas tout ce qu'il contient : certains produits de coupe et certaines substances lui sont "
        "invisibles. Le résultat ne vaut que pour cet échantillon."
    ),
    "card.anonymous": (
        "Cette carte ne porte aucun nom : seul le code de l'échantillon la relie au résultat."
    ),
}

TRANSLATIONS: dict[Lang, dict[str, str]] = {"en": _EN, "fr": _FR}


def t(key: str, lang: Lang) -> str:
    """The words for ``key`` in ``lang``.

    Parameters
    ----------
    key
        A label key, e.g. ``"print_card"``, ``"category.inconclusive"``, ``"referral.naloxone"``.
    lang
        ``"en"`` or ``"fr"``.

    Raises
    ------
    KeyError
        For an unknown key or language: a programming mistake, caught by the tests.
    """
    if lang not in LANGUAGES:
        raise KeyError(f"no translations for language {lang!r}")
    try:
        return TRANSLATIONS[lang][key]
    except KeyError:
        raise KeyError(f"no {lang} translation for {key!r}") from None
