"""Public pages. Every queryset starts from .published(): the one door.

Lists take the shared FilterSets' parameters (the API takes the same), with several values
per parameter comma-separated; detail pages number every citation as a footnote.

One module per page family; this package exports the views urls.py routes to
by name (the record types' list and detail views it finds through the registry).
"""

from .compare import CompareRecordsView
from .compare import CompareView
from .downloads import cite_download
from .home import HomeView
from .meta import AboutView
from .meta import robots_txt
from .site_search import search
from .timeline import TimelineView

__all__ = [
    "AboutView",
    "CompareRecordsView",
    "CompareView",
    "HomeView",
    "TimelineView",
    "cite_download",
    "robots_txt",
    "search",
]
