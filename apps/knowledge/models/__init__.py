from .base import Citation
from .base import Classification
from .base import KnowledgeRecord
from .records import Case
from .records import ComparisonRow
from .records import Concept
from .records import Document
from .records import Mission
from .records import Norm
from .records import Organisation
from .revisions import Revision
from .revisions import RevisionAction
from .revisions import RevisionState
from .snapshots import DatasetSnapshot
from .snapshots import DatasetTable
from .sources import Source
from .sources import SourceCreator
from .vocabularies import Country
from .vocabularies import MandateTask

__all__ = [
    "Case",
    "Citation",
    "Classification",
    "ComparisonRow",
    "Concept",
    "Country",
    "DatasetSnapshot",
    "DatasetTable",
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
