"""One exception hierarchy whose messages a volunteer can act on.

Every error the application expects (bad input, a refused transition, a photo that is not a plate)
is a :class:`LabsysError`; pages and the CLI show its message and never a traceback.
"""


class LabsysError(Exception):
    """Base class of every error labsys reports to a person."""


class ValidationError(LabsysError):
    """A value a person entered or a file they supplied is not acceptable."""


class NotFound(LabsysError):
    """The thing asked for does not exist (or the code was mistyped)."""


class PermissionDenied(LabsysError):
    """The signed-in user's role does not allow this action."""


class AuthenticationError(LabsysError):
    """The name or password is wrong, or the account is locked for a while."""


class InvalidTransition(LabsysError):
    """A sample cannot move from its current state to the one asked for."""


class ConcurrentEdit(LabsysError):
    """Someone else changed the record after it was opened; nothing was overwritten."""


class ImageError(LabsysError):
    """A photo cannot be read or is not usable for analysis."""


class PlateNotFound(ImageError):
    """The photo is readable but no usable plate (or origin, or front) was found in it."""


class ReferenceDataError(LabsysError):
    """A reference or knowledge file is malformed; the message names the file and field."""
