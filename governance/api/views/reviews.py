"""Submit a spec for review and read the review's status, summary and findings.

Who may submit (and read the reviews of) an API version:
- the credential carries the scope `governance:write` (a session is not limited by scopes);
- acting in a tenant, the role grants `governance.submit` (developers and up; a client-credentials
  token acts as the lower of admin and its creator's role);
- and the person behind the credential owns the API: a platform admin, or a user holding the
  django-guardian object permission `own_api` on it. The person is the session's user, the user of an
  authorization-code token, or — for a client-credentials token, which CI uses — the API owner staff
  bound the client to (`Application.governance_identity`, staff-managed). Never the creator of a
  tenant-managed client, nor of an API key: members could rotate its secret and act as them.
  Reviewers of the API (`review_api`) may read its reviews.
Staff (is_staff) may use their console session without a current tenant. Tenant members who are
not API owners — partners, who consume APIs — are refused (403); an internal API does not exist
for them (404).

The document is the raw request body (application/yaml, application/json, text/plain, or the
OpenAPI media types) or a multipart upload in the field `spec` (or `file`). Over the size limit:
413 `payload-too-large`. The engine runs after the response is committed; a hostile or broken
document never makes this endpoint fail: the review ends `failed` with the engine's message.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.problems import InsufficientScope, Problem
from config.context import context_of
from governance import permissions
from governance.api.serializers.reviews import ReviewSerializer
from governance.api.views.catalog import API_SLUG, VERSION_LABEL
from governance.models import Api, ApiVersion, Review, SpecRevision
from governance.services import reviews as review_services
from tenants.api.schema import TenantAutoSchema

SPEC_MEDIA_TYPES = [
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
    "application/json",
    "text/plain",
    "application/vnd.oai.openapi",
    "application/vnd.oai.openapi+json",
    "application/octet-stream",
]
MAX_FINDINGS_IN_RESPONSE = 2000
MAX_GROUPS_IN_RESPONSE = 1000  # `group_count` has the total
# The document as the body, or as the upload `spec`; an empty one is refused (400).
SPEC_TEXT = {"type": "string", "minLength": 1}
SPEC_FILE = {"type": "string", "format": "binary", "minLength": 1}


class RawSpecParser(BaseParser):
    """The body as bytes, read up to the size limit (a larger body is refused, not buffered)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = review_services.max_spec_bytes()
        request = parser_context["request"]
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > limit:
            raise review_services.SpecTooLarge(int(declared), limit)
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise review_services.SpecTooLarge(len(data), limit)
        return data


class YamlSpecParser(RawSpecParser):
    media_type = "application/yaml"


class JsonSpecParser(RawSpecParser):
    media_type = "application/json"


class TextSpecParser(RawSpecParser):
    media_type = "text/plain"


class SpecSubmitterPermission(BasePermission):
    """Scope and tenant role here; ownership of the API in the view (it needs the API)."""

    def has_permission(self, request, view):
        principal = context_of(request).principal
        if principal is None:
            raise exceptions.NotAuthenticated()
        if not principal.has_scope(view.write_scope):
            raise InsufficientScope([view.write_scope])
        if principal.tenant is None:
            if not (principal.user is not None and principal.user.is_staff):
                raise Problem("no-tenant")
        elif not principal.can(view.write_permission):
            raise exceptions.PermissionDenied(f"Your role ({principal.role}) does not allow this.")
        return True


class ReviewView(APIView):
    permission_classes = [SpecSubmitterPermission]
    read_scope = write_scope = "governance:write"
    read_permission = write_permission = "governance.submit"

    def version_for(self, request, api_slug, label) -> ApiVersion:
        api = get_object_or_404(Api, slug=api_slug)
        user = permissions.actor_user(context_of(request).principal)
        if api.visibility == Api.Visibility.INTERNAL and not (
            permissions.owns_api(user, api) or permissions.reviews_api(user, api)
        ):
            raise exceptions.NotFound()
        return get_object_or_404(ApiVersion.objects.of_api(api).with_published_revision(), version=label)


class SpecUploadSchema(TenantAutoSchema):
    """The upload's body is required: drf-spectacular can't tell from raw media-type schemas."""

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body is not None:
            body["required"] = True
        return body


class ReviewCreateView(ReviewView):
    schema = SpecUploadSchema()
    parser_classes = [YamlSpecParser, JsonSpecParser, TextSpecParser, MultiPartParser, RawSpecParser]

    @extend_schema(
        summary="Submit an OpenAPI document for review",
        description=__doc__,
        parameters=[API_SLUG, VERSION_LABEL],
        request={
            "application/yaml": SPEC_TEXT,
            "application/json": {"type": "object", "description": "The OpenAPI document as JSON."},
            "text/plain": SPEC_TEXT,
            "multipart/form-data": {
                "type": "object",
                "properties": {"spec": SPEC_FILE},
                "required": ["spec"],
            },
        },
        responses={
            201: ReviewSerializer,
            413: OpenApiResponse(description="The document is over the size limit (`payload-too-large`)."),
        },
    )
    def post(self, request, *args, api_slug=None, label=None, **kwargs):
        version = self.version_for(request, api_slug, label)
        document = self.document_of(request)
        review = review_services.submit_spec(
            actor=context_of(request).principal, version=version, document=document, source=SpecRevision.Source.API
        )  # not an owner: 403 problem
        review = Review.objects.with_version_and_revision().get(pk=review.pk)  # after the engine
        data = ReviewSerializer(review, context=review_context(review)).data
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{review.pk}/")
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @staticmethod
    def document_of(request) -> bytes:
        data = request.data
        if isinstance(data, bytes):
            return data
        upload = request.FILES.get("spec") or request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError(
                {"spec": ["Send the OpenAPI document as the body or in the field `spec`."]}
            )
        limit = review_services.max_spec_bytes()
        if upload.size > limit:
            raise review_services.SpecTooLarge(upload.size, limit)
        return upload.read()


class ReviewDetailView(ReviewView):
    @extend_schema(
        summary="A review: status, summary, changes and findings",
        parameters=[API_SLUG, VERSION_LABEL],
        responses={200: ReviewSerializer},
    )
    def get(self, request, *args, api_slug=None, label=None, pk=None, **kwargs):
        version = self.version_for(request, api_slug, label)
        user = permissions.actor_user(context_of(request).principal)
        if not (permissions.owns_api(user, version.api) or permissions.reviews_api(user, version.api)):
            raise exceptions.PermissionDenied(
                f"Only owners and reviewers of the API {version.api.slug} read its reviews."
            )
        review = get_object_or_404(Review.objects.of_version(version).with_version_and_revision(), pk=pk)
        return Response(ReviewSerializer(review, context=review_context(review)).data)


def review_context(review) -> dict:
    """What the serializer lists: the changes (ERR first, with whether a waiver covers each) and the
    findings, both capped; the summary and `group_count` have the totals."""
    groups = review.groups.with_waived().order_by("position")
    return {
        "groups": list(groups[:MAX_GROUPS_IN_RESPONSE]),
        "group_count": groups.count(),
        "findings": findings_of(review),
    }


def findings_of(review):
    """ERR first, then WARN, then INFO; capped (the summary has the totals)."""
    return list(review.findings.worst_first()[:MAX_FINDINGS_IN_RESPONSE])
