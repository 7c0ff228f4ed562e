from .base import Citation, Classification, KnowledgeRecord
from .records import Case, ComparisonRow, Concept, Document, Mission, Norm, Organisation
from .revisions import Revision, RevisionAction, RevisionState
from .snapshots import DatasetSnapshot
from .sources import Source, SourceCreator
from .vocabularies import Country, MandateTask

__all__ = [
    "Case",
    "Citation",
    "Classification",
    "ComparisonRow",
    "Concept",
    "Country",
    "DatasetSnapshot",
    "Document",
    "KnowledgeRecord",
    "MandateTask",
    "Mission",
    "Norm",
    "Organisation",
    "Revision",
    "RevisionAction",
    "RevisionState",
    "Source",
    "SourceCreator",
]
