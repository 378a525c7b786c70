"""The benchmark's endpoints, each twice: with no authentication at all (the baseline) and behind
API-key authentication + rate limiting + metering (the console's defaults).

- echo: answers a constant (the worst case for the ratio: the request path is all there is);
- keys: a typical read, one tenant-scoped query and a serializer (the tenant's API keys, 10 rows).
"""

from collections.abc import Sequence
from typing import Any

from django.urls import include, path
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from apikeys.api.serializers import ApiKeySerializer
from apikeys.models import ApiKey


class Open:
    authentication_classes: Sequence[type[BaseAuthentication]] = []
    permission_classes: Sequence[Any] = [AllowAny]  # DRF's own annotation is a private alias
    throttle_classes: Sequence[type[BaseThrottle]] = []


class Echo(APIView):
    read_scope = read_permission = write_scope = write_permission = None

    def get(self, request, *args, **kwargs):
        principal = getattr(request, "principal", None)
        tenant = principal.tenant.slug if principal is not None and principal.tenant is not None else "-"
        return Response({"ok": True, "tenant": tenant})


class KeyList(APIView):
    read_scope, read_permission = "keys:read", "keys.view"
    write_scope = write_permission = None
    _bench_tenant_id = None

    def tenant_id(self, request):
        principal = getattr(request, "principal", None)
        if principal is not None:
            return principal.tenant.pk
        if KeyList._bench_tenant_id is None:  # the open twin: the bench tenant, looked up once
            KeyList._bench_tenant_id = (
                ApiKey.objects.filter(tenant__slug="bench").values_list("tenant_id", flat=True).first()
            )
        return KeyList._bench_tenant_id

    def get(self, request, *args, **kwargs):
        rows = ApiKey.objects.for_listing().filter(tenant_id=self.tenant_id(request)).order_by("-id")[:10]
        return Response({"results": ApiKeySerializer(rows, many=True).data})


class OpenEcho(Open, Echo):
    pass


class OpenKeyList(Open, KeyList):
    pass


urlpatterns = [
    path("api/<version>/bench/open/", OpenEcho.as_view()),
    path("api/<version>/bench/keyed/", Echo.as_view()),
    path("api/<version>/bench/open-keys/", OpenKeyList.as_view()),
    path("api/<version>/bench/keyed-keys/", KeyList.as_view()),
    path("", include("config.urls")),
]
