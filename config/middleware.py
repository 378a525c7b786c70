"""The first middleware: it starts the request context (config.context) with the request id and the
caller's address. Every response carries X-Request-ID, every log line of the request names it, and
when the response is done it writes the request's one log line (event "request"):

    request_id, method, route (the URL pattern, never the raw path), status, duration_ms,
    tenant (slug), principal_kind (apikey | oauth | session | anonymous), principal_id (an API
    key's lookup id, an OAuth client_id, a user id: never a secret)
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar, Token

import structlog
from django.utils.functional import empty

from config import context
from config.context import context_of

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it is short and plain, so it can't inject into logs or headers.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")

_current_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_current_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)

request_log = structlog.get_logger("console.request")


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request (tasks, commands)."""
    return _current_request_id.get()


def well_formed_request_id(value) -> str | None:
    return value if isinstance(value, str) and _WELL_FORMED.match(value) else None


def bind_request_id(request_id: str) -> Token:
    """Make `request_id` the current one (a Celery task restores the id of the request that
    enqueued it); give the token back to reset_request_id."""
    return _current_request_id.set(request_id)


def reset_request_id(token: Token) -> None:
    _current_request_id.reset(token)


def current_client_ip() -> str | None:
    """The caller's address (REMOTE_ADDR; a reverse proxy must set it, e.g. gunicorn's
    --forwarded-allow-ips), or None outside a request."""
    return _current_client_ip.get()


def _evaluated(lazy):
    """The object behind a SimpleLazyObject only if something already evaluated it (the log line
    never costs a query of its own), else None."""
    wrapped = getattr(lazy, "_wrapped", lazy)
    return None if wrapped is empty else wrapped


def who(request) -> dict:
    """The request's tenant and principal, as the log line names them."""
    ctx = context_of(request)
    principal = ctx.principal
    if principal is not None:
        if principal.api_key is not None:
            principal_id = principal.api_key.lookup_id
        elif principal.application is not None:
            principal_id = principal.application.client_id
        elif principal.user is not None:
            principal_id = str(principal.user.pk)
        else:
            principal_id = None
        tenant = principal.tenant.slug if principal.tenant is not None else None
        return {"tenant": tenant, "principal_kind": principal.kind, "principal_id": principal_id}
    user = _evaluated(getattr(request, "user", None))
    if user is not None and getattr(user, "is_authenticated", False):
        membership = _evaluated(ctx.membership)
        tenant = membership.tenant.slug if membership and membership.tenant is not None else None
        return {"tenant": tenant, "principal_kind": "session", "principal_id": str(user.pk)}
    return {"tenant": None, "principal_kind": "anonymous", "principal_id": None}


def log_request(request, status: int, started: float) -> None:
    match = getattr(request, "resolver_match", None)
    fields = {
        "method": request.method,
        "route": match.route if match is not None else None,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        **who(request),
    }
    (request_log.warning if status >= 500 else request_log.info)("request", **fields)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = well_formed_request_id(offered) or uuid.uuid4().hex
        client_ip = request.META.get("REMOTE_ADDR") or None
        context.start(request, request_id=request_id, client_ip=client_ip)
        # Also in context variables, for code that has no request at hand (audit, logging).
        token = _current_request_id.set(request_id)
        ip_token = _current_client_ip.set(client_ip)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            try:
                log_request(request, status, started)
            finally:
                _current_request_id.reset(token)
                _current_client_ip.reset(ip_token)


class RequestIDLogFilter(logging.Filter):
    """Adds `request_id` to a record (for a plain %-format handler; the structured formatter of
    config/logs.py adds it itself)."""

    def filter(self, record):
        record.request_id = current_request_id()
        return True
