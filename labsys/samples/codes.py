"""Sample codes: unguessable, easy to read aloud and type, and checked against typos.

A code is 8 random symbols of Crockford's base32 followed by one check symbol, shown as
``XXXX-XXXX-C``. The check symbol makes the position-weighted sum of all nine values divisible
by 37 (a prime larger than the alphabet). Because the weights 1..9 are distinct and non-zero
modulo 37, every single-symbol substitution and every swap of two adjacent symbols changes the
sum, so it is detected. Codes whose check value would need one of Crockford's extra check symbols
(values 32-36) are not issued, so every printed symbol is a plain letter or digit.

References
----------
D. Crockford, "Base 32", https://www.crockford.com/base32.html
"""

from __future__ import annotations

import secrets

from labsys.errors import ValidationError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# Crockford's decoding is forgiving of look-alikes: I and L read as 1, O as 0.
_VALUE.update({"I": 1, "L": 1, "O": 0})
DATA_LENGTH = 8
MODULUS = 37
_WEIGHTS = range(1, DATA_LENGTH + 2)


def _check_value(data_values: list[int]) -> int:
    weighted = sum(w * v for w, v in zip(_WEIGHTS, data_values, strict=False))
    # Solve weighted + 9 * c ≡ 0 (mod 37) for c.
    return (-weighted * pow(_WEIGHTS[-1], -1, MODULUS)) % MODULUS


def format_code(compact: str) -> str:
    """Show a 9-symbol code in groups: ``ABCD-EFGH-J``."""
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def generate_code() -> str:
    """A new random code (40 random bits), formatted for display."""
    while True:
        data = [secrets.randbelow(32) for _ in range(DATA_LENGTH)]
        check = _check_value(data)
        if check < len(ALPHABET):
            return format_code("".join(ALPHABET[v] for v in [*data, check]))


def normalise_code(text: str) -> str:
    """Check a typed or scanned code and return it in display form.

    Spaces and dashes are ignored, case does not matter and I/L/O are read as 1/1/0.

    Raises
    ------
    ValidationError
        If the code has the wrong length, an impossible symbol, or fails its check symbol
        (a typo or swapped symbols).
    """
    compact = "".join(ch for ch in text.upper() if ch not in " -_\t")
    if len(compact) != DATA_LENGTH + 1:
        raise ValidationError(
            f"A sample code has {DATA_LENGTH + 1} letters or digits (like 7K3M-9QXR-T); "
            f"{text.strip()!r} has {len(compact)}."
        )
    bad = [ch for ch in compact if ch not in _VALUE]
    if bad:
        raise ValidationError(f"{bad[0]!r} does not occur in sample codes; please check the code.")
    values = [_VALUE[ch] for ch in compact]
    if values[-1] != _check_value(values[:-1]):
        raise ValidationError(
            f"{text.strip()!r} is not a valid sample code: a symbol is mistyped or two are "
            "swapped. Please check it against the label."
        )
    return format_code("".join(ALPHABET[v] for v in values))


def is_valid_code(text: str) -> bool:
    """Whether ``text`` is a well-formed code with a correct check symbol."""
    try:
        normalise_code(text)
    except ValidationError:
        return False
    return True
