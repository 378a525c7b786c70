"""Serializers of the catalog and review endpoints (output only: writes go through services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import Api, ApiVersion, Finding, Review


class ApiVersionSerializer(serializers.ModelSerializer):
    api = serializers.CharField(source="api.slug", read_only=True)
    has_spec = serializers.SerializerMethodField()
    deprecated_at = serializers.SerializerMethodField()
    sunset_at = serializers.SerializerMethodField()

    class Meta:
        model = ApiVersion
        fields = ["id", "api", "version", "base_path", "state", "state_changed_at", "has_spec",
                  "deprecated_at", "sunset_at"]
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


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "rule_id", "level", "operation", "path", "text", "base_pointer", "revision_pointer"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    api = serializers.CharField(source="version.api.slug", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    revision = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "api", "version", "status", "error", "summary", "revision", "base_revision",
                  "created_at", "analysed_at", "decided_at", "decision_comment", "merged_at", "findings"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "properties": {
        "id": {"type": "integer"}, "content_hash": {"type": "string"}, "size": {"type": "integer"},
        "source": {"type": "string"}}})
    def get_revision(self, obj):
        revision = obj.revision
        return {"id": revision.pk, "content_hash": revision.content_hash, "size": revision.size,
                "source": revision.source}

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, obj):
        findings = self.context.get("findings")
        if findings is None:
            return []
        return FindingSerializer(findings, many=True).data


class ChangelogEntrySerializer(serializers.ModelSerializer):
    api = serializers.CharField(source="review.version.api.slug", read_only=True)
    version = serializers.CharField(source="review.version.version", read_only=True)
    review = serializers.IntegerField(source="review_id", read_only=True)
    merged_at = serializers.DateTimeField(source="review.merged_at", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "api", "version", "review", "merged_at", "rule_id", "level", "operation", "path", "text"]
        read_only_fields = fields
