"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from labsys.audit import AuditEvent
from labsys.auth import User
from labsys.db import Base
from labsys.monitoring.models import Alert
from labsys.plates.models import Plate, PlateAnalysisRecord, PlateLane, PlatePhoto
from labsys.results.models import ResultFinding, SampleResult
from labsys.results.records import Confirmation, Conversation, ConversationReferral
from labsys.samples.models import Sample

metadata = Base.metadata

__all__ = [
    "Alert",
    "AuditEvent",
    "Confirmation",
    "Conversation",
    "ConversationReferral",
    "Plate",
    "PlateAnalysisRecord",
    "PlateLane",
    "PlatePhoto",
    "ResultFinding",
    "Sample",
    "SampleResult",
    "User",
    "metadata",
]
