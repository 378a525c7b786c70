from django.urls import path
from rest_framework.routers import SimpleRouter

from tenants.api import views

router = SimpleRouter(trailing_slash=True)
router.register("members", views.MemberViewSet, basename="member")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("oauth-clients", views.OAuthClientViewSet, basename="oauth-client")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")

current_tenant = views.CurrentTenantViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    path("tenant/", current_tenant, name="tenant"),
    *router.urls,
]
