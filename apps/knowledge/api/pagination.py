from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers with a total count, for browsing; clients may ask for up to 100 a page."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
