from rest_framework import exceptions, pagination

from ..filters import stable


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers with a total count, for browsing; clients may ask for up to 100 a page.
    The neighbouring pages are also in a `Link` header (RFC 8288), for generic clients.
    To harvest everything at once, use /api/v1/export/ instead."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        """A page_size that is not a whole number from 1 to 100 is a 400 naming it (DRF
        would quietly fall back to the default)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not 1 <= value <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"A whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return value

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
