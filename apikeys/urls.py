"""The keys and usage pages, mounted at /portal/ (namespace "keys")."""

from django.urls import path

from apikeys import views

app_name = "keys"

urlpatterns = [
    path("keys/", views.key_list, name="list"),
    path("keys/new/", views.key_create, name="create"),
    path("keys/<int:pk>/rotate/", views.key_rotate, name="rotate"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="revoke"),
    path("usage/", views.usage_page, name="usage"),
]
