"""What the API shows and accepts, per record type.

Reads: every related record as a compact summary {slug, name, url} (published ones only),
citations and classifications embedded with their source and locator. Writes: related
records by slug, citations and classifications as nested lists that replace the current
ones; every write becomes the record's canonical dict, written by services.write_record
(one validation, the publishing rules, one Revision), as every other door (writes.py).

One module per record family; this package exports every serializer.
"""

from .base import (
    CitationSerializer,
    ClassificationSerializer,
    ClassifiedRecordSerializer,
    CountrySerializer,
    CreatorSerializer,
    RecordSerializer,
)
from .citations import (
    CitationDetailSerializer,
    ClassificationDetailSerializer,
    RecordRefSerializer,
    record_ref,
)
from .comparison import (
    ComparedRecordSerializer,
    CompareRecordsSerializer,
    CompareSectionSerializer,
    CompareSerializer,
    ComparisonRowSerializer,
    ConceptionSerializer,
)
from .concepts import ConceptListSerializer, ConceptSerializer
from .export import DatasetStampSerializer, ExportFileSerializer, ExportIndexSerializer
from .history import HistoryVersionSerializer
from .missions import (
    CaseListSerializer,
    CaseSerializer,
    MissionListSerializer,
    MissionSerializer,
)
from .norms import (
    DocumentListSerializer,
    DocumentSerializer,
    NormListSerializer,
    NormSerializer,
)
from .organisations import OrganisationListSerializer, OrganisationSerializer
from .responses import ErrorSerializer, ProposalSerializer, PublishSerializer
from .search import SearchHitSerializer, SearchPageSerializer
from .sources import (
    PageRangeField,
    SourceCiteLinksMixin,
    SourceListSerializer,
    SourceSerializer,
)

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
