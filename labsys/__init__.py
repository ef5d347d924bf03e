"""labsys: a laboratory information system for drug-checking services."""

from labsys.errors import LabsysError
from labsys.logging import install_redaction

install_redaction()  # before anything logs: no password or contact detail reaches any log

__all__ = ["LabsysError"]
__version__ = "0.1.0"
