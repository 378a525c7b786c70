"""The first middleware: it starts the request context (config.context) with the request id and the
caller's address. Every response carries X-Request-ID, and every log line of the request names it."""

import logging
import re
import uuid
from contextvars import ContextVar

from config import context

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it is short and plain, so it can't inject into logs or headers.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")

_current_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_current_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request (tasks, commands)."""
    return _current_request_id.get()


def current_client_ip() -> str | None:
    """The caller's address (REMOTE_ADDR; a reverse proxy must set it, e.g. gunicorn's
    --forwarded-allow-ips), or None outside a request."""
    return _current_client_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _WELL_FORMED.match(offered) else uuid.uuid4().hex
        client_ip = request.META.get("REMOTE_ADDR") or None
        context.start(request, request_id=request_id, client_ip=client_ip)
        # Also in context variables, for code that has no request at hand (audit, logging).
        token = _current_request_id.set(request_id)
        ip_token = _current_client_ip.set(client_ip)
        try:
            response = self.get_response(request)
        finally:
            _current_request_id.reset(token)
            _current_client_ip.reset(ip_token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIDLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id()
        return True
