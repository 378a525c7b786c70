"""Lifecycle enforcement on the request path: Deprecation / Sunset / Link headers, and 410 Gone
during brownouts and after sunset, for every request under a catalogued version's base path (the
console's own /api/v1 included). The decision itself is governance.enforcement.decide.

Why a middleware, and how it learns the caller's tenant
-------------------------------------------------------
The headers and the 410 depend on the path and the instant; only exemptions depend on who calls.
DRF authenticates inside the view, too late to refuse a call before its handler runs, so:

1. The middleware matches the path against the cached table (no query on the warm path) and, when
   the version is not gone, lets the request through and adds the headers to whatever answers.
2. When the version is gone for everyone (brownout, sunset) and no exemption of the schedule is
   active, it answers 410 at once: no authentication, no view, no rate-limit charge.
3. Only when the version is gone AND some tenant holds an active exemption does the tenant matter.
   Then the middleware runs DRF's configured authenticators itself (the same classes the views
   use, so the same principal and the same refusals) and, if the caller's tenant is exempt, hands
   the result on to the view through DRF's forced-authentication attributes — the view doesn't
   authenticate a second time, so an API key is verified (and charged against its quota) once.
   Anything that doesn't authenticate is not exempt and gets the 410.

The rare, costly path is reached only by calls to a gone version with live exemptions.
"""

from django.utils import timezone
from rest_framework.exceptions import APIException

from config.api.problems import problem_response
from config.context import context_of
from config.metrics import DEPRECATION_HEADERS, GONE_RESPONSES
from governance import enforcement


def apply_headers(response, verdict) -> None:
    links = [value for name, value in verdict.headers if name == "Link"]
    for name, value in verdict.headers:
        if name != "Link":
            response.headers[name] = value
    if links:
        existing = response.headers.get("Link")
        response.headers["Link"] = ", ".join(([existing] if existing else []) + links)


def gone_response(request, verdict):
    response = problem_response(request, "gone", verdict.detail(), **verdict.problem_extra())
    apply_headers(response, verdict)
    lc = verdict.lifecycle
    GONE_RESPONSES.labels(lc.api, lc.version, verdict.reason or lc.state).inc()
    return response


def authenticated_tenant_id(request) -> int | None:
    """The caller's tenant, found by DRF's default authenticators; the result is handed on to the
    view so it isn't authenticated twice. None when the request doesn't authenticate."""
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]  # type: ignore[operator]
    drf_request = Request(request, authenticators=authenticators)
    try:
        user = drf_request.user
    except APIException:
        return None
    principal = context_of(request).principal
    if principal is None or principal.tenant is None:
        return None
    request._force_auth_user = user
    request._force_auth_token = drf_request.auth
    return principal.tenant.pk


# The operations endpoints are never a catalogued API's and must answer without the database (the
# table may need a query): liveness has no dependencies, readiness names them itself.
UNENFORCED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class LifecycleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in UNENFORCED_PATHS:
            return self.get_response(request)
        lifecycle = enforcement.match(request.path)
        if lifecycle is None or lifecycle.state not in enforcement.ENFORCED_STATES:
            return self.get_response(request)
        now = timezone.now()
        verdict = enforcement.decide(lifecycle, now=now)
        if verdict.gone_for_all:
            if lifecycle.has_active_exemption(now):
                verdict = enforcement.decide(lifecycle, tenant_id=authenticated_tenant_id(request), now=now)
            if verdict.gone:
                return gone_response(request, verdict)
        context_of(request).lifecycle_verdict = verdict
        response = self.get_response(request)
        apply_headers(response, verdict)
        if verdict.headers:
            DEPRECATION_HEADERS.labels(lifecycle.api, lifecycle.version).inc()
        return response
