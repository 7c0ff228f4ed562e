from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "apps.knowledge"
    verbose_name = "Knowledge"

    def ready(self):
        from apps.core import pagecache

        from . import invalidation
        from . import signals
        from .api import filters as api_filters
        from .registry import RECORD_TYPES

        signals.connect()
        # Each cached page shows the content versions this rule names.
        pagecache.register_dependencies(invalidation.page_dependencies)
        # The page and API caches store only addresses made of known parameters.
        filtersets = [
            *(t.filterset for t in RECORD_TYPES if t.filterset),
            api_filters.CitationFilter,
            api_filters.ClassificationFilter,
        ]
        for filterset in filtersets:
            pagecache.register_parameters(filterset.base_filters)
