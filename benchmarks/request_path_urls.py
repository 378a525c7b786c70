"""The same tiny endpoint twice: once with no authentication at all (the baseline), once behind
API-key authentication + rate limiting + metering (the console's defaults)."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class Echo(APIView):
    read_scope = read_permission = write_scope = write_permission = None

    def get(self, request, *args, **kwargs):
        principal = getattr(request, "principal", None)
        tenant = principal.tenant.slug if principal is not None and principal.tenant is not None else "-"
        return Response({"ok": True, "tenant": tenant})


class OpenEcho(Echo):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


urlpatterns = [
    path("api/<version>/bench/open/", OpenEcho.as_view()),
    path("api/<version>/bench/keyed/", Echo.as_view()),
    path("", include("config.urls")),
]
