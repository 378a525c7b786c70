"""The governance pages of the portal, mounted at /portal/ (namespace "governance")."""

from django.urls import path

from governance.portal import deprecations, webhooks

app_name = "governance"

urlpatterns = [
    path("deprecations/", deprecations.DeprecationListView.as_view(), name="deprecations"),
    path("deprecations/<int:pk>/acknowledge/", deprecations.AcknowledgeView.as_view(), name="acknowledge"),
    path("changelog/", deprecations.ChangelogIndexView.as_view(), name="changelog-index"),
    path("changelog/<slug:api_slug>/<str:label>/", deprecations.ChangelogView.as_view(), name="changelog"),
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/new/", webhooks.WebhookCreateView.as_view(), name="webhook-create"),
    path("webhooks/<int:pk>/", webhooks.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/test/", webhooks.WebhookTestView.as_view(), name="webhook-test"),
    path("webhooks/<int:pk>/delete/", webhooks.WebhookDeleteView.as_view(), name="webhook-delete"),
]
