"""The tenant's API keys (secrets shown once) and secret-scanning leak reports."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys import services
from apikeys.api.serializers import (
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    ApiKeyUpdateSerializer,
    ApiKeyWithSecretSerializer,
    LeakReportResultSerializer,
    LeakReportSerializer,
    RotateSerializer,
)
from apikeys.models import ApiKey
from tenants.api.base import TenantScopedViewSet
from tenants.api.schema import problem_responses
from tenants.api.views.common import validated


@extend_schema_view(
    list=extend_schema(summary="List the tenant's API keys (never their secrets)"),
    retrieve=extend_schema(summary="One API key"),
    create=extend_schema(
        summary="Create an API key",
        description="The answer carries `key` once; only its HMAC is stored. A key may be given only "
        "scopes the caller's own credential holds.",
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyWithSecretSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename a key, change its scopes or IP allow-list",
        request=ApiKeyUpdateSerializer,
        responses={200: ApiKeySerializer, **problem_responses(conflict="The key is revoked or expired.")},
    ),
    rotate=extend_schema(
        summary="Rotate: issue a replacement key",
        description="The old key keeps working for `overlap` (now, 1h, 24h, 7d), then stops.",
        request=RotateSerializer,
        responses={201: ApiKeyWithSecretSerializer, **problem_responses(conflict="Only an active key rotates.")},
    ),
    revoke=extend_schema(
        summary="Revoke a key (effective on the next request)",
        request=None,
        responses={200: ApiKeySerializer, **problem_responses(conflict="The key is already revoked.")},
    ),
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
        new = ApiKey.objects.for_principal(self.principal).for_listing().get(pk=new.pk)
        return Response(
            ApiKeyWithSecretSerializer(new, context={"plain_key": raw}).data, status=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        api_key = services.revoke_key(actor=self.principal, api_key=self.get_object())
        return Response(ApiKeySerializer(api_key).data)


class LeakReportView(APIView):
    """Anyone who finds a key in public may report it (as GitHub's secret scanning does): the key
    is revoked and its owners told. Anonymous callers are rate-limited per address."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Report leaked API keys (secret scanning)",
        description='Body: `{"strings": [...]}` or GitHub\'s list of `{"token": ...}`. Valid keys among them '
        "are revoked and their tenants' owners e-mailed. The answer counts matches; it never names an owner.",
        request=LeakReportSerializer,
        responses={200: LeakReportResultSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        data = validated(LeakReportSerializer, request.data)
        return Response(services.report_leaks(strings=data["strings"]))
