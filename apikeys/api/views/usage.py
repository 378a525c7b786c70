"""The tenant's API calls by day, key, version and status class."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.api.serializers import (
    UsageQuerySerializer,
    UsageSerializer,
)
from apikeys.models import UsageRecord
from apikeys.querysets import default_usage_range
from config.context import context_of
from tenants.api.views.common import validated


class UsageView(APIView):
    read_scope, read_permission = "usage:read", "usage.view"
    write_scope = write_permission = None

    @extend_schema(
        summary="The tenant's API calls by day, key, version and status class",
        parameters=[UsageQuerySerializer],
        responses={200: UsageSerializer},
    )
    def get(self, request, *args, **kwargs):
        query = validated(UsageQuerySerializer, request.query_params)
        start, end = default_usage_range()
        start, end = query.get("start", start), query.get("end", end)
        rows = UsageRecord.objects.for_tenant(context_of(request).principal.tenant).calls_by_day(
            start, end, query.get("key")
        )
        return Response(
            UsageSerializer({"start": start, "end": end, "total": sum(r["calls"] for r in rows), "results": rows}).data
        )
