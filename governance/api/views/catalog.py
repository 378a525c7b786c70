"""The catalog, read-only: APIs, their versions, each version's published spec, and the changelog.

Catalog data is not tenant-owned: every tenant reads the same public and partner APIs (internal
ones are for the platform's own teams and never listed). Versions still in draft are not offered
to anyone yet and are not listed either. The scope is `catalog:read`, the role permission
`catalog.view` (every role), checked by the same ScopedRolePermission as tenant endpoints.
"""

import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.views import APIView

from config.api.filters import IdFilter
from config.api.pagination import CappedCursorPagination
from governance.api.serializers.catalog import ApiSerializer, ApiVersionSerializer, ChangelogEntrySerializer
from governance.models import Api, ApiVersion, Finding

API_SLUG = OpenApiParameter("api_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The API's slug.")
VERSION_LABEL = OpenApiParameter(
    "label", OpenApiTypes.STR, OpenApiParameter.PATH, description='The version label, e.g. "v1".'
)


def listed_version(api_slug: str, label: str) -> ApiVersion:
    return get_object_or_404(ApiVersion.objects.in_catalog().with_published_revision().labelled(api_slug, label))


class CatalogView:
    read_scope, read_permission = "catalog:read", "catalog.view"
    write_scope, write_permission = "catalog:read", "catalog.view"  # read-only: writes are 405


class SlugPagination(CappedCursorPagination):
    ordering = "slug"


class VersionPagination(CappedCursorPagination):
    ordering = "version"


class ChangelogPagination(CappedCursorPagination):
    ordering = "-id"


@extend_schema_view(
    list=extend_schema(summary="The API catalog", description="Public and partner APIs with their versions."),
    retrieve=extend_schema(summary="One API of the catalog"),
)
class ApiCatalogViewSet(CatalogView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiSerializer
    pagination_class = SlugPagination
    lookup_field = "slug"
    lookup_url_kwarg = "api_slug"

    def get_queryset(self):
        return Api.objects.visible_to_tenants().with_listed_versions()


@extend_schema_view(
    list=extend_schema(summary="The versions of an API", parameters=[API_SLUG]),
    retrieve=extend_schema(summary="One version of an API", parameters=[API_SLUG, VERSION_LABEL]),
)
class ApiVersionCatalogViewSet(CatalogView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiVersionSerializer
    pagination_class = VersionPagination
    lookup_field = "version"
    lookup_url_kwarg = "label"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return ApiVersion.objects.none()
        api = get_object_or_404(Api.objects.visible_to_tenants(), slug=self.kwargs["api_slug"])
        return ApiVersion.objects.listed().of_api(api).with_deprecation()


SPEC_AS_SUBMITTED = "The OpenAPI document, as it was submitted: JSON or YAML."


class PublishedSpecView(CatalogView, APIView):
    @extend_schema(
        summary="The published OpenAPI document of a version",
        description="Served as it was submitted (YAML or JSON, with that content type); 404 when the "
        "version has no published spec yet. The ETag is the document's SHA-256.",
        parameters=[API_SLUG, VERSION_LABEL],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description=SPEC_AS_SUBMITTED),
            (200, "application/yaml"): OpenApiResponse(OpenApiTypes.STR, description=SPEC_AS_SUBMITTED),
        },
    )
    def get(self, request, *args, api_slug=None, label=None, **kwargs):
        version = listed_version(api_slug, label)
        revision = version.published_revision
        if revision is None:
            from rest_framework.exceptions import NotFound

            raise NotFound(f"{version} has no published spec yet.")
        response = HttpResponse(revision.document, content_type=spec_content_type(revision.document))
        response["ETag"] = f'"{revision.content_hash}"'
        response["Content-Disposition"] = (
            f'inline; filename="{version.api.slug}-{version.version}.{spec_extension(revision.document)}"'
        )
        return response


def spec_is_json(document: str) -> bool:
    return document.lstrip()[:1] in ("{", "[")


def spec_content_type(document: str) -> str:
    return "application/json" if spec_is_json(document) else "application/yaml"


def spec_extension(document: str) -> str:
    return "json" if spec_is_json(document) else "yaml"


class ChangelogFilter(django_filters.FilterSet):
    api = django_filters.CharFilter(field_name="review__version__api__slug")
    version = django_filters.CharFilter(field_name="review__version__version")
    level = django_filters.ChoiceFilter(choices=[(lvl, lvl) for lvl in ("ERR", "WARN", "INFO")])
    rule_id = django_filters.CharFilter()
    review = IdFilter(field_name="review_id")

    class Meta:
        model = Finding
        fields = ["api", "version", "level", "rule_id", "review"]


@extend_schema_view(
    list=extend_schema(
        summary="The changelog of the catalog",
        description="What each merged review changed, per API version (the engine's findings), newest first. "
        "Filter with `api`, `version`, `level`, `rule_id`, `review`.",
    )
)
class ChangelogViewSet(CatalogView, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ChangelogEntrySerializer
    pagination_class = ChangelogPagination
    filterset_class = ChangelogFilter

    def get_queryset(self):
        return Finding.objects.changelog().in_catalog()
