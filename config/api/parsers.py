"""Request body parsers of the API (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): DRF's, hardened."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body nested deeper than Python's parser can go as malformed.

    `[` × 50,000 is 50 KB, far under the size limit, and anyone may send it (the body of an
    unauthenticated endpoint is parsed too): json.load's RecursionError must be a 400, not a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
