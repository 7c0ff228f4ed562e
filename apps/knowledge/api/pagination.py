from rest_framework import pagination

from ..filters import stable


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers with a total count, for browsing; clients may ask for up to 100 a page.
    The neighbouring pages are also in a `Link` header (RFC 8288), for generic clients.
    To harvest everything at once, use /api/v1/export/ instead."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        # A total order: records that sort alike never move between pages.
        return super().paginate_queryset(stable(queryset), request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (
                ("next", self.get_next_link()),
                ("prev", self.get_previous_link()),
            )
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response
