"""What the API shows and accepts, per record type.

Reads: every related record as a compact summary {slug, name, url} (published ones only),
citations and classifications embedded with their source and locator. Writes: related
records by slug, citations and classifications as nested lists that replace the current
ones; every write becomes the record's canonical dict, written by services.write_record
(one validation, the publishing rules, one Revision), as every other door (writes.py).

One module per record family; this package exports every serializer.
"""

from .base import CitationSerializer
from .base import ClassificationSerializer
from .base import ClassifiedRecordSerializer
from .base import CountrySerializer
from .base import CreatorSerializer
from .base import RecordSerializer
from .citations import CitationDetailSerializer
from .citations import ClassificationDetailSerializer
from .citations import RecordRefSerializer
from .citations import record_ref
from .comparison import ComparedRecordSerializer
from .comparison import CompareRecordsSerializer
from .comparison import CompareSectionSerializer
from .comparison import CompareSerializer
from .comparison import ComparisonRowSerializer
from .comparison import ConceptionSerializer
from .concepts import ConceptListSerializer
from .concepts import ConceptSerializer
from .export import DatasetStampSerializer
from .export import ExportFileSerializer
from .export import ExportIndexSerializer
from .history import HistoryVersionSerializer
from .missions import CaseListSerializer
from .missions import CaseSerializer
from .missions import MissionListSerializer
from .missions import MissionSerializer
from .norms import DocumentListSerializer
from .norms import DocumentSerializer
from .norms import NormListSerializer
from .norms import NormSerializer
from .organisations import OrganisationListSerializer
from .organisations import OrganisationSerializer
from .responses import ErrorSerializer
from .responses import ProposalSerializer
from .responses import PublishSerializer
from .search import SearchHitSerializer
from .search import SearchPageSerializer
from .sources import PageRangeField
from .sources import SourceCiteLinksMixin
from .sources import SourceListSerializer
from .sources import SourceSerializer

__all__ = [
    "CaseListSerializer",
    "CaseSerializer",
    "CitationDetailSerializer",
    "CitationSerializer",
    "ClassificationDetailSerializer",
    "ClassificationSerializer",
    "ClassifiedRecordSerializer",
    "CompareRecordsSerializer",
    "CompareSectionSerializer",
    "CompareSerializer",
    "ComparedRecordSerializer",
    "ComparisonRowSerializer",
    "ConceptListSerializer",
    "ConceptSerializer",
    "ConceptionSerializer",
    "CountrySerializer",
    "CreatorSerializer",
    "DatasetStampSerializer",
    "DocumentListSerializer",
    "DocumentSerializer",
    "ErrorSerializer",
    "ExportFileSerializer",
    "ExportIndexSerializer",
    "HistoryVersionSerializer",
    "MissionListSerializer",
    "MissionSerializer",
    "NormListSerializer",
    "NormSerializer",
    "OrganisationListSerializer",
    "OrganisationSerializer",
    "PageRangeField",
    "ProposalSerializer",
    "PublishSerializer",
    "RecordRefSerializer",
    "RecordSerializer",
    "SearchHitSerializer",
    "SearchPageSerializer",
    "SourceCiteLinksMixin",
    "SourceListSerializer",
    "SourceSerializer",
    "record_ref",
]
