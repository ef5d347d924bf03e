"""Typed text inside Markdown, shown exactly as typed.

Streamlit renders Markdown (and ``$…$`` as maths, ``:red[…]`` as colour) in headings, messages
and captions, so a "sold as", a site, a lab name or an alert title could otherwise turn into a
link, a remote image or formatting. CommonMark lets any ASCII punctuation be escaped with a
backslash; escaping all of it is simple and leaves nothing to interpret.
"""

from __future__ import annotations

import string

_ESCAPES = str.maketrans({ch: f"\\{ch}" for ch in string.punctuation})


def literal(text: str) -> str:
    """``text`` with every ASCII punctuation character backslash-escaped for Markdown."""
    return text.translate(_ESCAPES)
