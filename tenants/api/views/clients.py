from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.pagination import CappedCursorPagination
from tenants.api.base import TenantScopedViewSet
from tenants.api.schema import problem_responses
from tenants.api.serializers import (
    OAuthClientCreateSerializer,
    OAuthClientSerializer,
    OAuthClientUpdateSerializer,
    OAuthClientWithSecretSerializer,
)
from tenants.api.views.common import validated
from tenants.models import Application
from tenants.services import create_oauth_client, delete_oauth_client, rotate_client_secret, update_oauth_client


class OAuthClientPagination(CappedCursorPagination):
    ordering = "-created"  # the toolkit's field name


@extend_schema_view(
    list=extend_schema(summary="List the tenant's OAuth clients"),
    retrieve=extend_schema(summary="One OAuth client (never its secret)"),
    create=extend_schema(
        summary="Create an OAuth client",
        description="The answer carries `client_secret` once; only its hash is stored. A client may be "
        "given only scopes the caller's own credential holds.",
        request=OAuthClientCreateSerializer,
        responses={201: OAuthClientWithSecretSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename a client, change its redirect URIs or allowed scopes",
        request=OAuthClientUpdateSerializer,
        responses={200: OAuthClientSerializer},
    ),
    destroy=extend_schema(summary="Delete a client and every token it was issued", responses={204: None}),
    rotate_secret=extend_schema(
        summary="Issue a new client secret",
        description="The old secret stops working at once; tokens already issued stay valid until they expire.",
        request=None,
        responses={
            200: OAuthClientWithSecretSerializer,
            **problem_responses(conflict="A public client has no secret."),
        },
    ),
)
class OAuthClientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    queryset = Application.objects.select_related("created_by")
    serializer_class = OAuthClientSerializer
    pagination_class = OAuthClientPagination
    read_scope, read_permission = "clients:read", "clients.view"
    write_scope, write_permission = "clients:write", "clients.manage"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = validated(OAuthClientCreateSerializer, request.data)
        app, secret = create_oauth_client(actor=self.principal, **data)
        body = OAuthClientWithSecretSerializer(app, context={"plain_secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = validated(OAuthClientUpdateSerializer, request.data)
        app = update_oauth_client(actor=self.principal, application=self.get_object(), **data)
        return Response(OAuthClientSerializer(app).data)

    def destroy(self, request, *args, **kwargs):
        delete_oauth_client(actor=self.principal, application=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        app, secret = rotate_client_secret(actor=self.principal, application=self.get_object())
        return Response(OAuthClientWithSecretSerializer(app, context={"plain_secret": secret}).data)
