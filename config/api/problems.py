"""RFC 9457 problem details for every API error.

Each problem has a stable `type` (a URI under /problems/, documented at that address), a short
`title`, the HTTP `status`, a human `detail` and, for validation failures, the field `errors`.
Clients branch on `type`; the other members are for people.
"""

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from config.context import context_of
from config.metrics import DATABASE_UNAVAILABLE

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int
    description: str

    @property
    def uri(self) -> str:
        return f"{PROBLEM_TYPE_BASE}{self.slug}"


PROBLEM_TYPES = {
    p.slug: p
    for p in [
        ProblemType(
            "validation-error",
            "Your request is not valid",
            400,
            "One or more fields failed validation; `errors` maps each field to its messages.",
        ),
        ProblemType(
            "malformed-request",
            "The request body could not be parsed",
            400,
            "The body is not valid JSON (or the declared content type).",
        ),
        ProblemType(
            "not-authenticated",
            "Authentication required",
            401,
            "Send an OAuth 2.0 bearer token, an API key or a session cookie.",
        ),
        ProblemType(
            "authentication-failed", "Credentials rejected", 401, "The token or key is unknown, expired or revoked."
        ),
        ProblemType("permission-denied", "Not allowed", 403, "Your role in this tenant does not allow this action."),
        ProblemType(
            "insufficient-scope",
            "Scope missing",
            403,
            "The credential lacks the OAuth scope this endpoint requires; `required_scopes` lists it.",
        ),
        ProblemType(
            "tenant-suspended",
            "Tenant suspended",
            403,
            "The tenant is suspended by the platform; every credential is refused until it is reactivated.",
        ),
        ProblemType(
            "no-tenant",
            "No current tenant",
            403,
            "Your session has no tenant selected, or you are not a member of any tenant.",
        ),
        ProblemType("not-found", "Not found", 404, "No such object exists in your tenant."),
        ProblemType("method-not-allowed", "Method not allowed", 405, "The endpoint does not support this HTTP method."),
        ProblemType(
            "not-acceptable",
            "Not acceptable",
            406,
            "The endpoint cannot answer in the media type of the Accept header.",
        ),
        ProblemType(
            "spec-invalid",
            "Not an OpenAPI document",
            400,
            "The submitted document can't be read as an OpenAPI 3.x document; `detail` says why.",
        ),
        ProblemType("conflict", "Conflict", 409, "The request conflicts with the current state of the object."),
        ProblemType("gone", "Gone", 410, "The resource or API version is no longer served."),
        ProblemType("payload-too-large", "Payload too large", 413, "The request body exceeds the size limit."),
        ProblemType(
            "unsupported-media-type",
            "Unsupported media type",
            415,
            "The endpoint does not accept the request's content type.",
        ),
        ProblemType(
            "quota-exceeded",
            "Rate limit exceeded",
            429,
            "Too many requests; retry after the number of seconds in Retry-After.",
        ),
        ProblemType(
            "too-many-failures",
            "Too many failed attempts",
            429,
            "Too many wrong credentials came for this OAuth client id, or from your address with API "
            "keys; every request of theirs is refused, even with the right credential, until the "
            "cool-off ends: retry after the number of seconds in Retry-After.",
        ),
        ProblemType(
            "server-error",
            "Internal server error",
            500,
            "Something failed on our side; quote the X-Request-ID when you report it.",
        ),
        ProblemType("service-unavailable", "Service unavailable", 503, "A dependency is unavailable; retry later."),
        ProblemType(
            "database-unavailable",
            "Database unavailable",
            503,
            "The database can't be reached for the moment (a restart or a failover); retry after the "
            "number of seconds in Retry-After. A write answered this way happened entirely or not at "
            "all: look before you repeat it.",
        ),
    ]
}


class Problem(exceptions.APIException):
    """An API error with an explicit problem type. `extra` members are added to the body."""

    def __init__(self, slug: str, detail: str | None = None, *, status_code: int | None = None, **extra):
        self.problem_type = PROBLEM_TYPES[slug]
        self.status_code = status_code or self.problem_type.status
        self.extra = extra
        super().__init__(detail or self.problem_type.description)


class Conflict(Problem):
    def __init__(self, detail: str, **extra):
        super().__init__("conflict", detail, **extra)


class TooManyFailures(Problem):
    """429 during a cool-off after repeated failed credentials (apikeys.requestpath.cooloff)."""

    def __init__(self, detail: str, retry_after: int):
        super().__init__("too-many-failures", detail)
        self.wait = retry_after


# What psycopg raises, wrapped by Django, when PostgreSQL refuses a connection, times out
# (DATABASES OPTIONS connect_timeout), or drops one mid-request (a restart, a failover).
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(Problem):
    """503 database-unavailable with Retry-After; counted and logged once per request."""

    def __init__(self, exc: Exception):
        super().__init__("database-unavailable")
        self.wait = DATABASE_RETRY_AFTER_SECONDS
        DATABASE_UNAVAILABLE.inc()
        # The class and first line only: enough to tell a refusal from a timeout or a cut.
        log.warning(
            "Database unavailable (%s: %s); answered 503", type(exc).__name__, (str(exc).splitlines() or [""])[0]
        )


class InsufficientScope(Problem):
    def __init__(self, required_scopes):
        super().__init__(
            "insufficient-scope",
            "This endpoint requires the scope(s): " + ", ".join(sorted(required_scopes)) + ".",
            required_scopes=sorted(required_scopes),
        )


# DRF exception class -> problem slug. Order matters: subclasses first.
_EXCEPTION_SLUGS = [
    (exceptions.ValidationError, "validation-error"),
    (exceptions.ParseError, "malformed-request"),
    (exceptions.AuthenticationFailed, "authentication-failed"),
    (exceptions.NotAuthenticated, "not-authenticated"),
    (exceptions.PermissionDenied, "permission-denied"),
    (exceptions.NotFound, "not-found"),
    (exceptions.MethodNotAllowed, "method-not-allowed"),
    (exceptions.NotAcceptable, "not-acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported-media-type"),
    (exceptions.Throttled, "quota-exceeded"),
]


def problem_body(slug: str, detail: str, *, status_code: int | None = None, instance: str = "", **extra) -> dict:
    problem_type = PROBLEM_TYPES[slug]
    body = {
        "type": problem_type.uri,
        "title": problem_type.title,
        "status": status_code or problem_type.status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def _flatten_errors(data):
    """DRF's ValidationError detail as {field: [messages]} ("non_field_errors" for the rest)."""
    if isinstance(data, dict):
        return {field: _flatten_errors(value) for field, value in data.items()}
    if isinstance(data, list):
        if all(not isinstance(item, (dict, list)) for item in data):
            return [str(item) for item in data]
        return [_flatten_errors(item) for item in data]
    return [str(data)]


def problem_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every handled error becomes problem+json."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        exc = DatabaseUnavailable(exc)
    elif isinstance(exc, DjangoValidationError):
        # A service's model-level validation: same shape as a serializer's field errors.
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if not isinstance(exc, exceptions.APIException):
        return None  # an unexpected error: Django's 500 handler answers (see config.urls)

    request = context.get("request")
    headers = {}
    if isinstance(exc, Problem):
        slug, extra = exc.problem_type.slug, dict(exc.extra)
        detail = str(exc.detail)
    else:
        slug = next((s for cls, s in _EXCEPTION_SLUGS if isinstance(exc, cls)), "server-error")
        extra = {}
        if isinstance(exc, exceptions.ValidationError):
            errors = _flatten_errors(exc.detail)
            if not isinstance(errors, dict):
                errors = {"non_field_errors": errors}
            extra["errors"] = errors
            detail = "The request has invalid fields; see `errors`."
        else:
            detail = str(exc.detail)
    if isinstance(exc, (exceptions.Throttled, TooManyFailures, DatabaseUnavailable)) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait + 0.999))
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)) and request is not None:
        authenticate_header = context["view"].get_authenticate_header(request)
        if authenticate_header:
            headers["WWW-Authenticate"] = authenticate_header

    body = problem_body(slug, detail, status_code=exc.status_code, instance=request.path if request else "", **extra)
    response = Response(body, status=exc.status_code, headers=headers)
    renderer = getattr(request, "accepted_renderer", None) if request is not None else None
    if renderer is None or getattr(renderer, "format", "json") == "json":
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_response(request, slug: str, detail: str | None = None, **extra) -> JsonResponse:
    """A problem+json answer for plain Django views and middleware (outside DRF)."""
    problem_type = PROBLEM_TYPES[slug]
    body = problem_body(slug, detail or problem_type.description, instance=request.path, **extra)
    return JsonResponse(body, status=problem_type.status, content_type=PROBLEM_CONTENT_TYPE)


def api_not_found(request, exception=None):
    return problem_response(request, "not-found", "No endpoint or object at this address.")


def api_bad_request(request, exception=None):
    """Django's 400, for what fails before a view can answer (a SuspiciousOperation or BadRequest:
    the body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host header). The exception's
    own message is not echoed: it can name settings."""
    if isinstance(exception, RequestDataTooBig):
        return problem_response(
            request,
            "payload-too-large",
            f"The request body exceeds the size limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
        )
    return problem_response(request, "malformed-request", "The request could not be read.")


def api_server_error(request):
    """Django's 500 for the API. It runs inside the handler's `except`, so the exception is at hand:
    a database that went away outside a view (in a middleware) answers 503 as it does in one."""
    exc = sys.exception()
    if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        problem = DatabaseUnavailable(exc)
        response = problem_response(request, "database-unavailable")
        response["Retry-After"] = str(problem.wait)
        return response
    return problem_response(request, "server-error", f"Unexpected error; request id {context_of(request).request_id}.")


__all__ = ["Problem", "Conflict", "InsufficientScope", "TooManyFailures", "PROBLEM_TYPES", "problem_response", "status"]
