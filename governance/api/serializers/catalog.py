"""The catalog: APIs, their versions, and the changelog of merged reviews."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import Api, ApiVersion, Finding


class ApiVersionSerializer(serializers.ModelSerializer):
    api = serializers.CharField(source="api.slug", read_only=True)
    has_spec = serializers.SerializerMethodField()
    deprecated_at = serializers.SerializerMethodField()
    sunset_at = serializers.SerializerMethodField()

    class Meta:
        model = ApiVersion
        fields = [
            "id",
            "api",
            "version",
            "base_path",
            "state",
            "state_changed_at",
            "has_spec",
            "deprecated_at",
            "sunset_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_has_spec(self, obj) -> bool:
        return obj.published_revision_id is not None

    def _schedule(self, obj):
        # select_related("deprecation") in the viewsets: no query per row.
        return getattr(obj, "deprecation", None) if _has_schedule(obj) else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_deprecated_at(self, obj):
        schedule = self._schedule(obj)
        return serializers.DateTimeField().to_representation(schedule.deprecated_at) if schedule else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_sunset_at(self, obj):
        schedule = self._schedule(obj)
        return serializers.DateTimeField().to_representation(schedule.sunset_at) if schedule else None


def _has_schedule(version) -> bool:
    from governance.models import DeprecationSchedule

    try:
        version.deprecation  # noqa: B018  (cached by select_related)
    except DeprecationSchedule.DoesNotExist:
        return False
    return True


class ApiVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiVersion
        fields = ["version", "base_path", "state"]
        read_only_fields = fields


class ApiSerializer(serializers.ModelSerializer):
    versions = ApiVersionSummarySerializer(many=True, read_only=True, source="listed_versions")

    class Meta:
        model = Api
        fields = ["id", "slug", "name", "description", "visibility", "versions"]
        read_only_fields = fields


class ChangelogEntrySerializer(serializers.ModelSerializer):
    api = serializers.CharField(source="review.version.api.slug", read_only=True)
    version = serializers.CharField(source="review.version.version", read_only=True)
    review = serializers.IntegerField(source="review_id", read_only=True)
    merged_at = serializers.DateTimeField(source="review.merged_at", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "api", "version", "review", "merged_at", "rule_id", "level", "operation", "path", "text"]
        read_only_fields = fields
