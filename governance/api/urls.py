"""/api/v1/ routes of governance (included from config/urls.py): the catalog, reviews and the
changelog; the deprecations affecting the tenant and its webhooks."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from governance.api.views import catalog, deprecations, reviews, webhooks

apis = catalog.ApiCatalogViewSet
versions = catalog.ApiVersionCatalogViewSet

router = SimpleRouter(trailing_slash=True)
router.register("deprecations", deprecations.DeprecationViewSet, basename="deprecation")
router.register("webhooks", webhooks.WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("apis/", apis.as_view({"get": "list"}), name="catalog-api-list"),
    path("apis/<slug:api_slug>/", apis.as_view({"get": "retrieve"}), name="catalog-api-detail"),
    path("apis/<slug:api_slug>/versions/", versions.as_view({"get": "list"}), name="catalog-version-list"),
    path(
        "apis/<slug:api_slug>/versions/<str:label>/",
        versions.as_view({"get": "retrieve"}),
        name="catalog-version-detail",
    ),
    path(
        "apis/<slug:api_slug>/versions/<str:label>/spec",
        catalog.PublishedSpecView.as_view(),
        name="catalog-version-spec",
    ),
    path(
        "apis/<slug:api_slug>/versions/<str:label>/reviews/", reviews.ReviewCreateView.as_view(), name="review-create"
    ),
    path(
        "apis/<slug:api_slug>/versions/<str:label>/reviews/<int:pk>/",
        reviews.ReviewDetailView.as_view(),
        name="review-detail",
    ),
    path("changelog/", catalog.ChangelogViewSet.as_view({"get": "list"}), name="changelog"),
    *router.urls,
]
