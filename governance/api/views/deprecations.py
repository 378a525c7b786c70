"""/api/v1/deprecations/: the deprecations affecting the caller's tenant, and acknowledging one.

Schedules are not tenant-owned; what scopes them is the tenant's traffic (governance.services.
deprecations.affecting): a schedule that doesn't touch the caller's tenant is a 404."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.pagination import CappedCursorPagination
from config.context import context_of
from governance.api.serializers.deprecations import DeprecationSerializer, LedgerSerializer
from governance.models import DeprecationSchedule
from governance.services import deprecations
from tenants.api.schema import problem_responses


class SunsetPagination(CappedCursorPagination):
    ordering = ("sunset_at", "pk")  # type: ignore[assignment]  # DRF takes a str or a sequence


@extend_schema_view(
    list=extend_schema(
        summary="Deprecations affecting your tenant",
        description="Announced schedules of versions your tenant called in the last 30 days, of any "
        "deprecated or sunset public version, and of any version you were notified about.",
    ),
    retrieve=extend_schema(summary="One deprecation affecting your tenant"),
    acknowledge=extend_schema(
        summary="Acknowledge a deprecation",
        request=None,
        description="Records in the migration ledger that your tenant has seen it "
        "(notified → acknowledged); idempotent.",
        responses={
            200: LedgerSerializer,
            **problem_responses(conflict="The deprecation no longer affects your tenant."),
        },
    ),
)
class DeprecationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DeprecationSerializer
    pagination_class = SunsetPagination
    read_scope, read_permission = "deprecations:read", "deprecations.view"
    write_scope, write_permission = "deprecations:write", "deprecations.acknowledge"

    queryset = DeprecationSchedule.objects.none()  # the schema's model; get_queryset decides the rows

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return deprecations.affecting(context_of(self.request).principal.tenant)

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, *args, **kwargs):
        entry = deprecations.acknowledge(actor=context_of(request).principal, schedule=self.get_object())
        return Response(LedgerSerializer(entry).data)
