"""The console's URLs (config.urls, unchanged) plus the open twins the load test compares with.

- /api/v1/tenant/ is the console's own endpoint (tenants.api.views.CurrentTenantViewSet): API-key
  authentication, the scope and role check, rate limiting (the key's and the tenant's buckets) and
  metering, then one query (the tenant row) and TenantSerializer. Its open twin,
  /api/v1/load/open/tenant/, is the same view class with authentication, permissions and throttling
  removed, reading the same row of the same tenant (the load test's, found by slug once per worker:
  the keyed view gets the id from the key's cached entry, also without a query) and serializing it
  the same way. The two answer byte-identical bodies (run.py checks it).
- /api/v1/load/echo/ and /api/v1/load/open/echo/ answer a constant, keyed (tenant:read, like the
  tenant endpoint) and open: the worst case for the ratio, where the request path is all the work.

Both twins stay under /api/v1/, so they pass through the same middleware (request id and log line,
security, lifecycle headers; the usage meter skips calls without a principal) as the keyed side.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.urls import include, path
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from config.context import context_of
from config.urls import handler400, handler404, handler500
from tenants.api.views.tenant import CurrentTenantViewSet
from tenants.models import Tenant

LOAD_TENANT_SLUG = "load"  # benchmarks/load/prepare.py creates it


class Open:
    """No authentication, no permission check, no throttle: nothing of the request path."""

    authentication_classes: Sequence[type[BaseAuthentication]] = []
    permission_classes: Sequence[Any] = [AllowAny]  # DRF's own annotation is a private alias
    throttle_classes: Sequence[type[BaseThrottle]] = []


class OpenCurrentTenant(Open, CurrentTenantViewSet):
    _tenant_id: ClassVar[int | None] = None

    def get_object(self):
        if OpenCurrentTenant._tenant_id is None:  # once per worker, like the key's cache entry
            OpenCurrentTenant._tenant_id = Tenant.objects.values_list("pk", flat=True).get(slug=LOAD_TENANT_SLUG)
        return Tenant.objects.get(pk=OpenCurrentTenant._tenant_id)  # the query the keyed view makes


class Echo(APIView):
    read_scope, read_permission = "tenant:read", "tenant.view"
    write_scope = write_permission = None

    def get(self, request, *args, **kwargs):
        principal = context_of(request).principal
        return Response({"ok": True, "tenant": principal.tenant.slug if principal is not None else LOAD_TENANT_SLUG})


class OpenEcho(Open, Echo):
    pass


urlpatterns = [
    path("api/<version>/load/open/tenant/", OpenCurrentTenant.as_view({"get": "retrieve"}), name="load-open-tenant"),
    path("api/<version>/load/echo/", Echo.as_view(), name="load-echo"),
    path("api/<version>/load/open/echo/", OpenEcho.as_view(), name="load-open-echo"),
    path("", include("config.urls")),
]

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
