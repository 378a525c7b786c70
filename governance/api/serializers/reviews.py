"""Reviews of a submitted spec and their findings."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import Finding, Review


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
        fields = [
            "id",
            "api",
            "version",
            "status",
            "error",
            "summary",
            "revision",
            "base_revision",
            "created_at",
            "analysed_at",
            "decided_at",
            "decision_comment",
            "merged_at",
            "findings",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "content_hash": {"type": "string"},
                "size": {"type": "integer"},
                "source": {"type": "string"},
            },
        }
    )
    def get_revision(self, obj):
        revision = obj.revision
        return {
            "id": revision.pk,
            "content_hash": revision.content_hash,
            "size": revision.size,
            "source": revision.source,
        }

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, obj):
        findings = self.context.get("findings")
        if findings is None:
            return []
        return FindingSerializer(findings, many=True).data
