from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


class CappedCursorPagination(CursorPagination):
    """Cursor pagination (stable under inserts, no COUNT(*)) with a client-chosen, capped size.

    A `page_size` that is not a positive integer is refused (400), not silently replaced by the
    default: the document says it is an integer of at least 1, and the contract test holds the
    API to what the document says. Above the cap it is lowered to the cap.
    """

    page_size_query_param = "page_size"
    ordering = "-created_at"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent, or empty: the API reads `?page_size=` as no value, like every parameter
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError({self.page_size_query_param: ["Give a whole number of at least 1."]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results per page (default {self.page_size}; above {self.max_page_size}, "
                    f"{self.max_page_size})."
                )
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.cursor_query_param:
                parameter["description"] = "The `next` or `previous` link's cursor, as this list issued it."
        return parameters
