"""The anonymous sample workflow: codes, intake, states, labels."""

from labsys.samples.codes import generate_code, is_valid_code, normalise_code
from labsys.samples.intake import LAB_NOTES_WARNING, Intake, register, validate_intake
from labsys.samples.labels import label_pdf, label_png
from labsys.samples.models import Form, Sample
from labsys.samples.search import get_sample, known_sites, list_samples
from labsys.samples.transitions import move_sample, update_intake
from labsys.samples.workflow import State, allowed_transitions

__all__ = [
    "LAB_NOTES_WARNING",
    "Form",
    "Intake",
    "Sample",
    "State",
    "allowed_transitions",
    "generate_code",
    "get_sample",
    "is_valid_code",
    "known_sites",
    "label_pdf",
    "label_png",
    "list_samples",
    "move_sample",
    "normalise_code",
    "register",
    "update_intake",
    "validate_intake",
]
