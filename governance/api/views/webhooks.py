"""/api/v1/webhooks/: the tenant's webhook endpoints and their deliveries. Thin: validate, call a
service, serialize. The signing secret is in the creation (and rotation) answer only."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.filters import BooleanFilter
from governance.api.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookEndpointWithSecretSerializer,
)
from governance.models import WebhookDelivery, WebhookEndpoint
from governance.services import webhooks
from tenants.api.base import TenantScopedViewSet
from tenants.api.schema import problem_responses
from tenants.api.views.common import validated


class WebhookEndpointFilter(django_filters.FilterSet):
    is_active = BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["is_active"]


@extend_schema_view(
    list=extend_schema(summary="List the tenant's webhook endpoints"),
    retrieve=extend_schema(summary="One webhook endpoint"),
    create=extend_schema(
        summary="Register a webhook endpoint",
        description="The URL must resolve to public addresses only. The answer carries the signing `secret` "
        "(`whsec_...`) once. Deliveries are signed per Standard Webhooks: `webhook-id`, `webhook-timestamp`, "
        "`webhook-signature: v1,<base64 HMAC-SHA256>`.",
        request=WebhookEndpointCreateSerializer,
        responses={
            201: WebhookEndpointWithSecretSerializer,
            **problem_responses(conflict="The tenant has as many endpoints as it may."),
        },
    ),
    partial_update=extend_schema(
        summary="Change a webhook endpoint",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer},
    ),
    destroy=extend_schema(summary="Remove a webhook endpoint"),
    deliveries=extend_schema(
        summary="The endpoint's latest deliveries", responses={200: WebhookDeliverySerializer(many=True)}
    ),
    ping=extend_schema(summary="Send a test event", request=None, responses={202: WebhookDeliverySerializer}),
    rotate_secret=extend_schema(
        summary="Replace the signing secret", request=None, responses={200: WebhookEndpointWithSecretSerializer}
    ),
)
class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    read_scope, read_permission = "webhooks:read", "webhooks.view"
    write_scope, write_permission = "webhooks:write", "webhooks.manage"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = WebhookEndpointFilter

    def create(self, request, *args, **kwargs):
        data = validated(WebhookEndpointCreateSerializer, request.data)
        endpoint, secret = webhooks.create_endpoint(actor=self.principal, **data)
        body = WebhookEndpointWithSecretSerializer(endpoint, context={"secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = validated(WebhookEndpointUpdateSerializer, request.data)
        endpoint = webhooks.update_endpoint(actor=self.principal, endpoint=self.get_object(), **data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        webhooks.delete_endpoint(actor=self.principal, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"], pagination_class=None)  # the latest 100, one page
    def deliveries(self, request, *args, **kwargs):
        endpoint = self.get_object()
        rows = WebhookDelivery.objects.for_principal(self.principal).of_endpoint(endpoint)[:100]
        return Response(WebhookDeliverySerializer(rows, many=True).data)

    @action(detail=True, methods=["post"])
    def ping(self, request, *args, **kwargs):
        delivery = webhooks.send_test_event(actor=self.principal, endpoint=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        endpoint, secret = webhooks.rotate_secret(actor=self.principal, endpoint=self.get_object())
        return Response(WebhookEndpointWithSecretSerializer(endpoint, context={"secret": secret}).data)
