from django.conf import settings
from rest_framework.pagination import CursorPagination


class CappedCursorPagination(CursorPagination):
    """Cursor pagination (stable under inserts, no COUNT(*)) with a client-chosen, capped size."""

    page_size_query_param = "page_size"
    ordering = "-created_at"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE
