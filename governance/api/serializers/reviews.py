"""Reviews of a submitted spec: their changes (groups: each change once) and findings (occurrences)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import ChangeGroup, Finding, Review


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "rule_id", "level", "operation", "path", "text", "base_pointer", "revision_pointer"]
        read_only_fields = fields


class ChangeGroupSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="group_key", help_text="Stable: the same change has it in every revision.")
    waived = serializers.BooleanField(help_text="An active waiver covers the change (every occurrence).")

    class Meta:
        model = ChangeGroup
        fields = ["id", "level", "rule", "direction", "text", "origin", "operations", "occurrences", "waived"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    api = serializers.CharField(source="version.api.slug", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    revision = serializers.SerializerMethodField()
    group_count = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
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
            "group_count",
            "groups",
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

    @extend_schema_field({"type": "integer", "description": "All the review's changes; `groups` lists the first ones."})
    def get_group_count(self, obj) -> int:
        return self.context.get("group_count", 0)

    @extend_schema_field(ChangeGroupSerializer(many=True))
    def get_groups(self, obj):
        groups = self.context.get("groups")
        if groups is None:
            return []
        return ChangeGroupSerializer(groups, many=True).data
