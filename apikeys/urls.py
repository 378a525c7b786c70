"""The keys and usage pages, mounted at /portal/ (namespace "keys")."""

from django.urls import path

from apikeys.portal import keys, usage

app_name = "keys"

urlpatterns = [
    path("keys/", keys.KeyListView.as_view(), name="list"),
    path("keys/new/", keys.KeyCreateView.as_view(), name="create"),
    path("keys/<int:pk>/rotate/", keys.KeyRotateView.as_view(), name="rotate"),
    path("keys/<int:pk>/revoke/", keys.KeyRevokeView.as_view(), name="revoke"),
    path("usage/", usage.UsagePageView.as_view(), name="usage"),
]
