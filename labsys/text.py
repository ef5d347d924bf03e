"""Checks for short free text typed by staff: length, control characters and personal data.

Samples are anonymous, so free text must not become a back door for names or contact details.
"""

from __future__ import annotations

import re
import unicodedata

from labsys.errors import ValidationError

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?:\+|\b)\d(?:[\s./-]?\d){7,}\b")


def clean_text(value: str | None, field: str, *, max_length: int, required: bool = False) -> str:
    """Return ``value`` stripped and whitespace-folded, or raise a message naming ``field``.

    Control characters (other than ordinary spaces) are refused rather than silently removed, so
    nothing a person typed is changed behind their back.
    """
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationError(f"{field} is required.")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise ValidationError(f"{field} contains control characters; please retype it.")
    if len(text) > max_length:
        raise ValidationError(f"{field} is limited to {max_length} characters ({len(text)} given).")
    return text


def refuse_personal_data(text: str, field: str) -> None:
    """Refuse text that looks like an e-mail address or a phone number."""
    if EMAIL.search(text) or PHONE.search(text):
        raise ValidationError(
            f"{field} looks like it contains contact details. Samples are anonymous: "
            "no names, phone numbers or e-mail addresses, please."
        )
