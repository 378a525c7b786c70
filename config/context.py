"""The request context: everything the console learns about a request while serving it, in one
typed object, created in one place (RequestContextMiddleware) and read through one accessor.

    from config.context import context_of
    context_of(request).principal

`request` may be Django's HttpRequest or DRF's Request (which wraps one): both reach the same
context. Who fills which field:

    request_id, client_ip   config.middleware.RequestContextMiddleware (first middleware)
    membership              tenants.middleware (the signed-in person's current tenant, lazy)
    principal               the DRF authentication classes (tenants.api.authentication, apikeys)
    ratelimit_*             apikeys.requestpath.ratelimit / apikeys.api.authentication (the decision and its headers)
    usage_counted           apikeys.requestpath.metering (the call already counted by the rate-limit script)
    lifecycle_verdict       governance.middleware (Deprecation / Sunset headers, brownout 410s)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: config is the base every app imports, never the other way round
    from apikeys.requestpath.ratelimit import Decision
    from governance.enforcement import Verdict
    from tenants.principal import Principal

_ATTRIBUTE = "console_context"


@dataclass
class RequestContext:
    request_id: str = "-"
    client_ip: str | None = None
    # The portal's current membership (a lazy object; falsy when there is none).
    membership: Any = None
    principal: Principal | None = None
    ratelimit_decision: Decision | None = None
    ratelimit_unavailable: bool = False
    usage_counted: tuple[str, str] | None = None
    lifecycle_verdict: Verdict | None = None


def context_of(request: Any) -> RequestContext:
    """The context of `request` (an HttpRequest or a DRF Request). A request that never went
    through the middleware (a RequestFactory request in a test, a management command) gets an
    empty one on first use."""
    raw = getattr(request, "_request", request)
    context = raw.__dict__.get(_ATTRIBUTE)
    if context is None:
        context = RequestContext()
        setattr(raw, _ATTRIBUTE, context)
    return context


def start(request: Any, *, request_id: str, client_ip: str | None) -> RequestContext:
    """Create the request's context (RequestContextMiddleware, once per request)."""
    context = RequestContext(request_id=request_id, client_ip=client_ip)
    setattr(request, _ATTRIBUTE, context)
    return context
