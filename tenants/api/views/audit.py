from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from tenants.api.base import TenantScopedViewSet
from tenants.api.filters import AuditEventFilter
from tenants.api.serializers import AuditEventSerializer
from tenants.models import AuditEvent


@extend_schema_view(
    list=extend_schema(summary="The tenant's audit trail, newest first"),
    retrieve=extend_schema(summary="One audit event"),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Read-only: events are written by services and never change (hash-chained)."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    read_scope, read_permission = "audit:read", "audit.view"
