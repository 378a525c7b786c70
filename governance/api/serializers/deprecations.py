"""Deprecations affecting the tenant, its migration ledger, and the lifecycle facts a gateway reads."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import DeprecationSchedule, MigrationLedgerEntry


class VersionRefSerializer(serializers.Serializer):
    api = serializers.CharField(source="api.slug")
    version = serializers.CharField()
    base_path = serializers.CharField()
    state = serializers.CharField()


class BrownoutSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class LedgerSerializer(serializers.ModelSerializer):
    class Meta:
        model = MigrationLedgerEntry
        fields = ["state", "notified_at", "acknowledged_at", "migrated_at", "last_call_at"]


class DeprecationSerializer(serializers.ModelSerializer):
    """A schedule as the calling tenant sees it, with its own migration ledger and exemption."""

    version = VersionRefSerializer()
    successor = VersionRefSerializer(allow_null=True)
    brownouts = BrownoutSerializer(many=True)
    ledger = serializers.SerializerMethodField()
    exempt_until = serializers.SerializerMethodField()

    class Meta:
        model = DeprecationSchedule
        fields = [
            "id",
            "version",
            "announced_at",
            "deprecated_at",
            "sunset_at",
            "successor",
            "migration_guide_url",
            "brownouts",
            "ledger",
            "exempt_until",
        ]

    @staticmethod
    def _mine(obj, attr):
        return getattr(obj, attr, None) or []

    @extend_schema_field(LedgerSerializer(allow_null=True))
    def get_ledger(self, obj):
        entries = self._mine(obj, "my_ledger")
        return LedgerSerializer(entries[0]).data if entries else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_exempt_until(self, obj):
        exemptions = self._mine(obj, "my_exemptions")
        return serializers.DateTimeField().to_representation(exemptions[0].expires_at) if exemptions else None


class LifecycleFactsSerializer(serializers.Serializer):
    """What the gateway verify endpoint answers about {api, version} (governance/enforcement.py)."""

    state = serializers.CharField()
    deprecated = serializers.BooleanField()
    deprecated_at = serializers.DateTimeField(allow_null=True)
    sunset = serializers.DateTimeField(allow_null=True, help_text="The sunset instant, if scheduled.")
    successor = serializers.CharField(allow_null=True, help_text="The successor's version label.")
    successor_base_path = serializers.CharField(allow_null=True)
    guide = serializers.URLField(allow_null=True, help_text="The migration guide.")
    brownout_active = serializers.BooleanField()
    brownout_until = serializers.DateTimeField(allow_null=True)
    gone = serializers.BooleanField(help_text="Answer 410 Gone to this call (the key's tenant is not exempt).")
    exempt_until = serializers.DateTimeField(allow_null=True)
    headers = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="[name, value] pairs to add to the response.",
    )
