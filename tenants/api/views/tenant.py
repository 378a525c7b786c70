from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from tenants.api.base import TenantScopedViewSet
from tenants.api.schema import problem_responses
from tenants.api.serializers import TenantSerializer, TenantUpdateSerializer
from tenants.api.views.common import validated
from tenants.models import Tenant
from tenants.services import update_tenant


@extend_schema_view(
    retrieve=extend_schema(summary="The current tenant", responses={200: TenantSerializer}),
    partial_update=extend_schema(
        summary="Rename the current tenant",
        description="Owners only: client-credentials tokens act as admins and can't rename the tenant.",
        request=TenantUpdateSerializer,
        responses={200: TenantSerializer, **problem_responses(validation="The name is empty or too long.")},
    ),
)
class CurrentTenantViewSet(TenantScopedViewSet):
    """The tenant the credential acts in. A singleton: there is no id to guess, so another tenant
    can't even be named."""

    read_scope, read_permission = "tenant:read", "tenant.view"
    write_scope, write_permission = "tenant:write", "tenant.manage"
    serializer_class = TenantSerializer
    pagination_class = None
    filter_backends = []

    def get_object(self):
        # Read the row: a principal's tenant may be a partial instance (an API key's comes from the
        # Redis cache entry with only what authorization needs).
        return Tenant.objects.get(pk=self.principal.tenant.pk)

    def retrieve(self, request, *args, **kwargs):
        return Response(TenantSerializer(self.get_object()).data)

    def partial_update(self, request, *args, **kwargs):
        data = validated(TenantUpdateSerializer, request.data)
        tenant = update_tenant(actor=self.principal, tenant=self.get_object(), name=data["name"])
        return Response(TenantSerializer(tenant).data)
