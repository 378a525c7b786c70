"""drf-spectacular hooks: every operation documents its problem+json errors."""

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

_COMMON = {
    "401": "Missing or rejected credentials (`not-authenticated`, `authentication-failed`).",
    "403": "Role or scope insufficient, or tenant suspended "
    "(`permission-denied`, `insufficient-scope`, `tenant-suspended`).",
    "429": "Rate limit exceeded (`quota-exceeded`).",
}
_BY_METHOD = {
    "post": {"400": "Invalid request (`validation-error`, `malformed-request`)."},
    "put": {"400": "Invalid request (`validation-error`, `malformed-request`)."},
    "patch": {"400": "Invalid request (`validation-error`, `malformed-request`)."},
    "delete": {"409": "Refused by a rule of the resource (`conflict`)."},
    "get": {},
}


def add_problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _BY_METHOD:
                continue
            responses = operation.setdefault("responses", {})
            extra = dict(_COMMON, **_BY_METHOD[method])
            if "{" in path:  # any operation on one object: another tenant's object is a 404
                extra["404"] = "Not found in your tenant."
            if operation.get("security") == [{}] or operation.get("security") == []:
                extra.pop("401", None)
            for code, description in extra.items():
                responses.setdefault(
                    code, {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": ref}}}
                )
    return result
