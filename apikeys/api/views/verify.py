"""The gateway's one call: verify a key, take its rate-limit decision, report its version's lifecycle."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.api.serializers import (
    VerifyRequestSerializer,
    VerifyResponseSerializer,
)
from apikeys.requestpath import verification as v
from apikeys.requestpath.metering import usage_field
from apikeys.requestpath.ratelimit import ServiceUnavailable, redis_unavailable
from config.api.problems import Problem
from config.context import context_of
from governance.enforcement import facts_for
from tenants.api.permissions import ScopedRolePermission
from tenants.api.views.common import validated


class GatewayPermission(ScopedRolePermission):
    """An OAuth client (a gateway) with `keys:verify`; people and keys don't verify keys."""

    def has_permission(self, request, view):
        super().has_permission(request, view)
        principal = context_of(request).principal
        if principal.kind != "oauth" or principal.user is not None or not principal.application.is_gateway:
            raise Problem(
                "permission-denied", "Only a platform gateway's OAuth client (client credentials) verifies keys."
            )
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
        request=VerifyRequestSerializer,
        responses={200: VerifyResponseSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = validated(VerifyRequestSerializer, request.data)
        parsed_lookup = data["key"][9:21] if data["key"].startswith("gvk_") else ""
        field = usage_field(
            credential=f"key:{parsed_lookup}",
            api=data["api"] or "-",
            version=data["version"] or "-",
            operation="gateway",
        )
        result = v.verify(
            data["key"],
            client_ip=data["client_ip"],
            required_scopes=data["scope"].split(),
            cost=data["cost"],
            usage_field=field,
        )
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
