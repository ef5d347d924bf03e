"""labsys: a laboratory information system for drug-checking services."""

from labsys.errors import LabsysError

__all__ = ["LabsysError"]
__version__ = "0.1.0"
