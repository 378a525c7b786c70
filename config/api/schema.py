"""drf-spectacular hooks: every operation documents each problem+json error it can answer, and
that an empty optional query parameter counts as absent.

The contract test (tests/test_api_contract.py) holds the document to this: an answer whose status
or content type the operation does not list fails it. Each rule below says when the error occurs;
one a view adds itself (a 409 of its own rule) comes from `tenants.api.schema.problem_responses`.
"""

from django.conf import settings

from config.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPES

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details. Branch on `type`; it is stable.",
    "properties": {
        "type": {"type": "string", "enum": sorted(p.uri for p in PROBLEM_TYPES.values())},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Validation errors by field (validation-error only).",
            "additionalProperties": True,
        },
        "required_scopes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["type", "title", "status", "detail"],
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    }
}

WRITE_METHODS = {"post", "put", "patch"}
METHODS = WRITE_METHODS | {"get", "delete"}


def _problems_of(path: str, method: str, operation: dict) -> dict[str, str]:
    """{status: description} of the problems this operation can answer."""
    parameters = operation.get("parameters", [])
    query = [p for p in parameters if p.get("in") == "query"]
    public = operation.get("security") in ([], [{}])
    problems = {
        "406": "The Accept header names no media type the endpoint answers in (`not-acceptable`).",
        "410": "This version of the console's API is past its sunset, or in a brownout (`gone`).",
        "429": "Rate limit exceeded (`quota-exceeded`), or a cool-off after repeated invalid credentials "
        "(`too-many-failures`); see Retry-After.",
    }
    problems["503"] = (
        "A dependency is unavailable for the moment (`database-unavailable`, `service-unavailable`); see Retry-After."
    )
    if not public:
        problems["401"] = "Missing or rejected credentials (`not-authenticated`, `authentication-failed`)."
    # Every operation is behind a permission (public ones only refuse a suspended tenant's key).
    problems["403"] = (
        "Role or scope insufficient, or tenant suspended (`permission-denied`, `insufficient-scope`, "
        "`tenant-suspended`, `no-tenant`)."
    )
    if query or "requestBody" in operation:
        problems["400"] = "Invalid request (`validation-error`, `malformed-request`)."
    if "requestBody" in operation or method in WRITE_METHODS:
        # A body is read (and refused) even where the operation documents none.
        problems["413"] = "The request body exceeds the size limit (`payload-too-large`)."
        problems["415"] = "The request's Content-Type is not one the endpoint reads (`unsupported-media-type`)."
        problems.setdefault("400", "The request body could not be parsed (`malformed-request`).")
    if "{" in path:
        problems["404"] = "Not found in your tenant (`not-found`)."
    if any(p["name"] == "cursor" for p in query):
        problems["404"] = "The cursor is not one this list issued (`not-found`)."
    if method == "delete":
        problems["409"] = "Refused by a rule of the resource (`conflict`)."
    return problems


def document_empty_query_values(operation: dict) -> None:
    """An optional query parameter sent empty (`?status=`) is read as absent by every filter and by
    the pagination, as DRF and django-filter do: OpenAPI's `allowEmptyValue` says so."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and not parameter.get("required"):
            parameter["allowEmptyValue"] = True


def add_problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            document_empty_query_values(operation)
            responses = operation.setdefault("responses", {})
            for code, description in _problems_of(path, method, operation).items():
                response = responses.setdefault(code, {"description": description})
                response.setdefault("content", {}).setdefault(PROBLEM_CONTENT_TYPE, {"schema": ref})
                if code in ("429", "503"):
                    response.setdefault("headers", RETRY_AFTER)
    return result


def console_origin(request) -> str:
    """The address partners reach this console at: the one the document was fetched from (so "Try it
    out" calls the server the reader is on), or SITE_URL when generated without a request (the CLI)."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.SITE_URL


def _paginated_lists(result) -> dict[str, str]:
    """{component name of a paginated list: the path that answers it}."""
    lists: dict[str, str] = {}
    for path, operations in result.get("paths", {}).items():
        content = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        name = ref.removeprefix("#/components/schemas/")
        if name.startswith("Paginated"):
            lists.setdefault(name, path)
    return lists


def add_console_servers(result, generator, request, public):
    """`servers` and the example links name the console itself: DRF's cursor pagination documents
    `next`/`previous` with `http://api.example.org/accounts/`, which is no address of ours."""
    origin = console_origin(request)
    result["servers"] = [{"url": origin, "description": "This console"}]
    schemas = result.get("components", {}).get("schemas", {})
    for name, path in _paginated_lists(result).items():
        properties = schemas.get(name, {}).get("properties", {})
        for link, cursor in (("next", "cD00ODY%3D"), ("previous", "cj0xJnA9NDg3")):
            if link in properties:
                properties[link]["example"] = f"{origin}{path}?cursor={cursor}"
    return result
