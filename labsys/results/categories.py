"""The result categories drug-checking services use (see ``shared/domain.md``)."""

from enum import StrEnum


class ResultCategory(StrEnum):
    """What a sample turned out to be, compared with what it was sold as."""

    AS_EXPECTED = "as_expected"
    AS_EXPECTED_WITH_ADULTERANTS = "as_expected_with_adulterants"
    DIFFERENT_SUBSTANCE = "different_substance"
    NOTHING_DETECTED = "nothing_detected"
    INCONCLUSIVE = "inconclusive"

    @property
    def label(self) -> str:
        """Plain English label for pages and cards."""
        return _LABELS[self]


_LABELS = {
    ResultCategory.AS_EXPECTED: "As expected",
    ResultCategory.AS_EXPECTED_WITH_ADULTERANTS: "As expected, with adulterant(s)",
    ResultCategory.DIFFERENT_SUBSTANCE: "A different substance than expected",
    ResultCategory.NOTHING_DETECTED: "Expected substance not detected",
    ResultCategory.INCONCLUSIVE: "Inconclusive",
}
