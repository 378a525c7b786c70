"""The tenant API, one resource a module. Each view is thin: a serializer validates, a service
writes (and audits), a serializer answers. Scoping to the caller's tenant happens in
TenantScopedViewSet.get_queryset, so an object of another tenant is a 404."""

from tenants.api.views.audit import AuditEventViewSet
from tenants.api.views.clients import OAuthClientViewSet
from tenants.api.views.invitations import InvitationViewSet
from tenants.api.views.members import MemberViewSet
from tenants.api.views.tenant import CurrentTenantViewSet

__all__ = ["AuditEventViewSet", "CurrentTenantViewSet", "InvitationViewSet", "MemberViewSet", "OAuthClientViewSet"]
