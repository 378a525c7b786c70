from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apikeys.models import ApiKey
from apikeys.requestpath.policies import policy_for_key
from apikeys.requestpath.verification import CODES
from apikeys.services import MAX_CIDRS, MAX_LEAK_STRINGS, ROTATION_OVERLAPS
from config.api.fields import StrictCharField
from governance.api.serializers.deprecations import LifecycleFactsSerializer

SCOPE_CHOICES = sorted(settings.API_SCOPES)
KEY_STATUSES = ["active", "rotating", "expired", "revoked"]


class RatePolicySerializer(serializers.Serializer):
    name = serializers.CharField()
    quota = serializers.IntegerField()
    window = serializers.IntegerField(help_text="Seconds.")


class ApiKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(
        source="display_prefix",
        read_only=True,
        help_text="The key's recognisable start; the secret is never shown again.",
    )
    status = serializers.ChoiceField(choices=KEY_STATUSES, read_only=True)
    created_by = serializers.EmailField(source="created_by.email", default=None, read_only=True, allow_null=True)
    rotated_from = serializers.CharField(source="rotated_from.lookup_id", default=None, read_only=True, allow_null=True)
    rate_policy = serializers.SerializerMethodField()
    # Declared for the document: a read-only model field loses `blank`, and "" is what it holds
    # until the key is revoked.
    revoked_reason = serializers.ChoiceField(
        choices=ApiKey.RevokedReason.choices, allow_blank=True, read_only=True, help_text="Empty until revoked."
    )

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "environment",
            "lookup_id",
            "prefix",
            "status",
            "scopes",
            "allowed_cidrs",
            "expires_at",
            "rate_policy",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
            "revoked_reason",
            "rotated_from",
            "valid_until",
        ]
        read_only_fields = fields

    @extend_schema_field(RatePolicySerializer)
    def get_rate_policy(self, obj) -> dict:
        policy = policy_for_key(obj, obj.tenant)
        return {"name": policy.name, "quota": policy.quota, "window": policy.window}


class ApiKeyWithSecretSerializer(ApiKeySerializer):
    key = serializers.SerializerMethodField(help_text="The whole key. Shown in this answer only; store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields

    def get_key(self, obj) -> str:
        return self.context["plain_key"]


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 50,
        "anyOf": [{"format": "ipv6"}, {"pattern": rf"^{_OCTET}(\.{_OCTET}){{3}}(/(3[0-2]|[12]?[0-9]))?$"}],
        "description": "An IP address or network: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32.",
    }
)
class NetworkField(StrictCharField):
    """An entry of a key's IP allow-list (checked by apikeys.services.keys.checked_cidrs)."""


class ApiKeyCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    environment = serializers.ChoiceField(choices=ApiKey.Environment.choices, default=ApiKey.Environment.LIVE)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPE_CHOICES), default=list, max_length=len(SCOPE_CHOICES)
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    allowed_cidrs = serializers.ListField(child=NetworkField(max_length=50), default=list, max_length=MAX_CIDRS)
    rate_quota = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    rate_window = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=86400)


class ApiKeyUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100, required=False)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPE_CHOICES), required=False, max_length=len(SCOPE_CHOICES)
    )
    allowed_cidrs = serializers.ListField(child=NetworkField(max_length=50), required=False, max_length=MAX_CIDRS)


class RotateSerializer(serializers.Serializer):
    overlap = serializers.ChoiceField(
        choices=list(ROTATION_OVERLAPS),
        default="24h",
        help_text="How long the old key keeps working next to the new one.",
    )


@extend_schema_field({"type": "string", "nullable": True, "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]})
class IPAddressField(serializers.IPAddressField):
    """An IPv4 or IPv6 address, documented as such (drf-spectacular gives a bare string)."""


class VerifyRequestSerializer(serializers.Serializer):
    key = StrictCharField(max_length=200, trim_whitespace=True)
    api = StrictCharField(max_length=100, required=False, default="", allow_blank=True)
    version = StrictCharField(max_length=32, required=False, default="", allow_blank=True)
    cost = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    scope = StrictCharField(
        max_length=500,
        required=False,
        default="",
        allow_blank=True,
        help_text="Space-separated scopes the call needs (INSUFFICIENT_SCOPE otherwise).",
    )
    client_ip = IPAddressField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The caller's address as the gateway saw it (for IP allow-lists).",
    )


class RateLimitStateSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    remaining = serializers.IntegerField()
    reset = serializers.IntegerField(help_text="Seconds until the quota is whole again.")
    retry_after = serializers.IntegerField(required=False)


class VerifyResponseSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    code = serializers.ChoiceField(choices=CODES)
    key_id = serializers.CharField(allow_null=True, help_text="The key's public lookup id.")
    tenant = serializers.CharField(allow_null=True, help_text="The owning tenant's slug.")
    scopes = serializers.ListField(child=serializers.CharField())
    ratelimit = RateLimitStateSerializer(allow_null=True)
    lifecycle = LifecycleFactsSerializer(
        allow_null=True,
        help_text="The {api, version}'s lifecycle (null when the "
        "pair names no catalogued version): answer 410 when `gone`, add `headers`.",
    )


class LeakReportSerializer(serializers.Serializer):
    strings = serializers.ListField(
        child=StrictCharField(max_length=4000, trim_whitespace=False),
        max_length=MAX_LEAK_STRINGS,
        min_length=1,  # allow_empty=False says the same, but only min_length reaches the document
        allow_empty=False,
        help_text="Strings found in public (keys, or text containing keys).",
    )

    def to_internal_value(self, data):
        # GitHub's secret-scanning partner format is a bare list of {"token": ..., "type", "url"}.
        if isinstance(data, list):
            data = {"strings": [item.get("token", "") if isinstance(item, dict) else item for item in data]}
        return super().to_internal_value(data)


class LeakReportResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    well_formed = serializers.IntegerField(help_text="Strings with a valid key checksum.")
    matched = serializers.IntegerField(help_text="Keys that exist (whoever owns them).")
    revoked = serializers.IntegerField(help_text="Keys revoked by this report.")


class UsageQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day (UTC), default 30 days ago.")
    end = serializers.DateField(required=False, help_text="Last day (UTC), default today.")
    # `?key=` (empty) is the same as no `key`, as for every other filter of the API.
    key = serializers.CharField(required=False, allow_blank=True, help_text="Only this key (lookup id).")

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": ["The start is after the end."]})
        return attrs


class UsageRowSerializer(serializers.Serializer):
    day = serializers.DateField()
    credential = serializers.CharField(help_text="key:<lookup id>, oauth:<client id> or session:<user id>.")
    key_name = serializers.CharField(allow_null=True)
    api = serializers.CharField()
    version = serializers.CharField()
    status_class = serializers.CharField()
    calls = serializers.IntegerField()


class UsageSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.IntegerField()
    results = UsageRowSerializer(many=True)
