"""The keys API (tenant-scoped CRUD, rotate, revoke), the gateway verify endpoint, leak reports
and usage. Thin: validate, call a service, serialize."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys import services, usage
from apikeys import verification as v
from apikeys.api.serializers import (
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    ApiKeyUpdateSerializer,
    ApiKeyWithSecretSerializer,
    LeakReportResultSerializer,
    LeakReportSerializer,
    RotateSerializer,
    UsageQuerySerializer,
    UsageSerializer,
    VerifyRequestSerializer,
    VerifyResponseSerializer,
)
from apikeys.metering import usage_field
from apikeys.models import ApiKey
from apikeys.ratelimit import ServiceUnavailable, redis_unavailable
from config.api.problems import Problem
from config.context import context_of
from governance.enforcement import facts_for
from tenants.api.base import TenantScopedViewSet
from tenants.api.permissions import ScopedRolePermission
from tenants.api.views.common import validated


@extend_schema_view(
    list=extend_schema(summary="List the tenant's API keys (never their secrets)"),
    retrieve=extend_schema(summary="One API key"),
    create=extend_schema(
        summary="Create an API key",
        description="The answer carries `key` once; only its HMAC is stored. A key may be given only "
        "scopes the caller's own credential holds.",
        request=ApiKeyCreateSerializer, responses={201: ApiKeyWithSecretSerializer},
    ),
    partial_update=extend_schema(summary="Rename a key, change its scopes or IP allow-list",
                                 request=ApiKeyUpdateSerializer, responses={200: ApiKeySerializer}),
    rotate=extend_schema(
        summary="Rotate: issue a replacement key",
        description="The old key keeps working for `overlap` (now, 1h, 24h, 7d), then stops.",
        request=RotateSerializer, responses={201: ApiKeyWithSecretSerializer},
    ),
    revoke=extend_schema(summary="Revoke a key (effective on the next request)", request=None,
                         responses={200: ApiKeySerializer}),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    queryset = ApiKey.objects.for_listing()
    serializer_class = ApiKeySerializer
    read_scope, read_permission = "keys:read", "keys.view"
    write_scope, write_permission = "keys:write", "keys.manage"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["environment"]

    def create(self, request, *args, **kwargs):
        data = validated(ApiKeyCreateSerializer, request.data)
        api_key, raw = services.create_key(actor=self.principal, **data)
        body = ApiKeyWithSecretSerializer(api_key, context={"plain_key": raw}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = validated(ApiKeyUpdateSerializer, request.data)
        api_key = services.update_key(actor=self.principal, api_key=self.get_object(), **data)
        return Response(ApiKeySerializer(api_key).data)

    @action(detail=True, methods=["post"])
    def rotate(self, request, *args, **kwargs):
        data = validated(RotateSerializer, request.data)
        new, raw = services.rotate_key(actor=self.principal, api_key=self.get_object(), overlap=data["overlap"])
        new = ApiKey.objects.for_listing().get(pk=new.pk)
        return Response(ApiKeyWithSecretSerializer(new, context={"plain_key": raw}).data,
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        api_key = services.revoke_key(actor=self.principal, api_key=self.get_object())
        return Response(ApiKeySerializer(api_key).data)


class GatewayPermission(ScopedRolePermission):
    """An OAuth client (a gateway) with `keys:verify`; people and keys don't verify keys."""

    def has_permission(self, request, view):
        super().has_permission(request, view)
        principal = context_of(request).principal
        if principal.kind != "oauth" or principal.user is not None or not principal.application.is_gateway:
            raise Problem("permission-denied", "Only a platform gateway's OAuth client (client credentials) verifies keys.")
        return True


class VerifyView(APIView):
    permission_classes = [GatewayPermission]
    throttle_classes = []  # the verified key's own quota is the limit that matters here
    read_scope = write_scope = "keys:verify"
    read_permission = write_permission = None

    @extend_schema(
        summary="Verify an API key for a gateway",
        description="Is this key good, for this API, from this address, within its rate limit, right now? "
        "One Redis round trip; the call is counted against the key's quota (`cost`) and usage. Always 200: "
        "branch on `code`.",
        request=VerifyRequestSerializer, responses={200: VerifyResponseSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = validated(VerifyRequestSerializer, request.data)
        parsed_lookup = data["key"][9:21] if data["key"].startswith("gvk_") else ""
        field = usage_field(credential=f"key:{parsed_lookup}", api=data["api"] or "-",
                            version=data["version"] or "-", operation="gateway")
        result = v.verify(data["key"], client_ip=data["client_ip"], required_scopes=data["scope"].split(),
                          cost=data["cost"], usage_field=field)
        if not result.redis_ok:
            redis_unavailable("gateway verify")
            if not settings.RATELIMIT_FAIL_OPEN:
                raise ServiceUnavailable()
        entry = result.entry or {}
        decision = result.decision
        ratelimit = None
        if decision is not None:
            ratelimit = {"limit": decision.limit, "remaining": decision.remaining, "reset": decision.reset}
            if not decision.allowed:
                ratelimit["retry_after"] = decision.retry_after
        body = {
            "valid": result.valid,
            "code": result.code,
            "key_id": entry.get("lookup_id"),
            "tenant": entry.get("tenant_slug"),
            "scopes": entry.get("scopes", []) if result.code != v.NOT_FOUND else [],
            "ratelimit": ratelimit,
            # The version's lifecycle for this key's tenant (headers, brownout, 410): governance/enforcement.py.
            "lifecycle": facts_for(data["api"], data["version"], tenant_id=entry.get("tenant")),
        }
        return Response(body)


class LeakReportView(APIView):
    """Anyone who finds a key in public may report it (as GitHub's secret scanning does): the key
    is revoked and its owners told. Anonymous callers are rate-limited per address."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Report leaked API keys (secret scanning)",
        description="Body: `{\"strings\": [...]}` or GitHub's list of `{\"token\": ...}`. Valid keys among them "
        "are revoked and their tenants' owners e-mailed. The answer counts matches; it never names an owner.",
        request=LeakReportSerializer, responses={200: LeakReportResultSerializer}, auth=[],
    )
    def post(self, request, *args, **kwargs):
        data = validated(LeakReportSerializer, request.data)
        return Response(services.report_leaks(strings=data["strings"]))


class UsageView(APIView):
    read_scope, read_permission = "usage:read", "usage.view"
    write_scope = write_permission = None

    @extend_schema(summary="The tenant's API calls by day, key, version and status class",
                   parameters=[UsageQuerySerializer], responses={200: UsageSerializer})
    def get(self, request, *args, **kwargs):
        query = validated(UsageQuerySerializer, request.query_params)
        start, end = usage.default_range()
        start, end = query.get("start", start), query.get("end", end)
        rows = usage.calls_by_day(context_of(request).principal.tenant, start, end, query.get("key"))
        return Response(UsageSerializer({"start": start, "end": end, "total": sum(r["calls"] for r in rows),
                                         "results": rows}).data)
