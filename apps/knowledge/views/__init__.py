"""Public pages. Every queryset starts from .published(): the one door.

Lists take the shared FilterSets' parameters (the API takes the same), with several values
per parameter comma-separated; detail pages number every citation as a footnote.

One module per page family; this package exports the views urls.py routes to.
"""

from .compare import CompareRecordsView, CompareView
from .details import (
    CaseDetailView,
    ConceptDetailView,
    DocumentDetailView,
    MissionDetailView,
    NormDetailView,
    OrganisationDetailView,
    SourceDetailView,
)
from .downloads import cite_download
from .home import HomeView
from .lists import (
    CaseListView,
    ConceptListView,
    DocumentListView,
    MissionListView,
    NormListView,
    OrganisationListView,
    SourceListView,
)
from .meta import AboutView, robots_txt
from .site_search import search
from .timeline import TimelineView

__all__ = [
    "AboutView",
    "CaseDetailView",
    "CaseListView",
    "CompareRecordsView",
    "CompareView",
    "ConceptDetailView",
    "ConceptListView",
    "DocumentDetailView",
    "DocumentListView",
    "HomeView",
    "MissionDetailView",
    "MissionListView",
    "NormDetailView",
    "NormListView",
    "OrganisationDetailView",
    "OrganisationListView",
    "SourceDetailView",
    "SourceListView",
    "TimelineView",
    "cite_download",
    "robots_txt",
    "search",
]
