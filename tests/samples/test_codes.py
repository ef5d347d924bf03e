"""Sample codes: format, randomness and detection of every single typo and adjacent swap."""

import random

import pytest

from labsys.errors import ValidationError
from labsys.samples.codes import ALPHABET, generate_code, is_valid_code, normalise_code

# Everything a person could type in place of one symbol: the alphabet and the look-alikes.
TYPED_SYMBOLS = ALPHABET + "ILOU*~$="


def _compact(code: str) -> str:
    return code.replace("-", "")


def _codes(count: int) -> list[str]:
    random.seed(1234)
    return [generate_code() for _ in range(count)]


def test_generated_codes_are_well_formed_and_distinct() -> None:
    codes = [generate_code() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 11 and code[4] == "-" and code[9] == "-"
        assert all(ch in ALPHABET for ch in _compact(code))
        assert normalise_code(code) == code


def test_every_single_substitution_is_detected() -> None:
    for code in _codes(300):
        compact = _compact(code)
        for position in range(len(compact)):
            for symbol in TYPED_SYMBOLS.replace(compact[position], ""):
                typo = compact[:position] + symbol + compact[position + 1 :]
                if normalise_code_or_none(typo) == code:
                    # Only Crockford's forgiving look-alikes may read as the same code.
                    assert (compact[position], symbol) in {("1", "I"), ("1", "L"), ("0", "O")}
                    continue
                assert not is_valid_code(typo), (code, typo)


def test_every_adjacent_swap_is_detected() -> None:
    for code in _codes(2000):
        compact = _compact(code)
        for position in range(len(compact) - 1):
            a, b = compact[position], compact[position + 1]
            if a == b:
                continue
            swapped = compact[:position] + b + a + compact[position + 2 :]
            assert not is_valid_code(swapped), (code, swapped)


def normalise_code_or_none(text: str) -> str | None:
    try:
        return normalise_code(text)
    except ValidationError:
        return None


@pytest.mark.parametrize(
    "typed", ["{0}", "{0}".lower(), " {0} ", "{1}", "{1}".lower().replace("-", " ")]
)
def test_normalise_accepts_formatting_variants(typed: str) -> None:
    code = "98A7-3S0T-B"
    assert normalise_code(typed.format(code, code.replace("-", ""))) == code


def test_look_alikes_read_as_digits() -> None:
    code = next(c for c in _codes(500) if "0" in c or "1" in c)
    lookalike = code.replace("0", "O").replace("1", "I")
    assert normalise_code(lookalike) == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("98A7-3S0T", "has 9 letters"),
        ("98A7-3S0T-B7", "has 9 letters"),
        ("98A7-3S0T-*", "does not occur"),
        ("98A7-3S0T-C", "mistyped"),
    ],
)
def test_wrong_codes_get_a_clear_message(typed: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        normalise_code(typed)
