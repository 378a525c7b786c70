"""Serializers of the tenant API: they validate input and shape output; services do the writing.

Input serializers are separate from output ones where the shapes differ (a role change takes one
field; a created OAuth client answers with its secret once), so the schema shows each exactly.
"""

from django.conf import settings
from rest_framework import serializers

from config.api.fields import StrictCharField
from tenants.models import Application, AuditEvent, Invitation, Membership, Tenant, User
from tenants.roles import Role


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]
        read_only_fields = fields


# --- Tenant -------------------------------------------------------------------------------------


class TenantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "status", "plan", "created_at", "updated_at"]
        read_only_fields = ["id", "slug", "status", "plan", "created_at", "updated_at"]


class TenantUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, allow_blank=False, trim_whitespace=True)


# --- Members ------------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at", "updated_at"]
        read_only_fields = fields


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


# --- Invitations --------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending, accepted, revoked or expired.")
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)


# --- OAuth clients ------------------------------------------------------------------------------

_GRANT_CHOICES = Application.GRANT_TYPES
_CLIENT_TYPE_CHOICES = [
    (Application.CLIENT_CONFIDENTIAL, "Confidential"),
    (Application.CLIENT_PUBLIC, "Public"),
]


class ScopeListField(serializers.ListField):
    child = serializers.ChoiceField(choices=sorted(settings.API_SCOPES))


class OAuthClientSerializer(serializers.ModelSerializer):
    """A client as anyone with clients:read sees it: never its secret."""

    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None, allow_null=True)
    created_at = serializers.DateTimeField(source="created", read_only=True)
    updated_at = serializers.DateTimeField(source="updated", read_only=True)
    allowed_scopes = ScopeListField(read_only=True)
    authorization_grant_type = serializers.ChoiceField(choices=_GRANT_CHOICES, read_only=True)
    client_type = serializers.ChoiceField(choices=_CLIENT_TYPE_CHOICES, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "client_id",
            "name",
            "authorization_grant_type",
            "client_type",
            "redirect_uris",
            "allowed_scopes",
            "created_by",
            "created_at",
            "updated_at",
            "secret_rotated_at",
        ]
        read_only_fields = fields


class OAuthClientWithSecretSerializer(OAuthClientSerializer):
    """The answer to create and rotate-secret: the only place the plain secret ever appears."""

    client_secret = serializers.SerializerMethodField(
        help_text="Shown once. Store it now; only a hash is kept. Null for a public client."
    )

    class Meta(OAuthClientSerializer.Meta):
        fields = [*OAuthClientSerializer.Meta.fields, "client_secret"]
        read_only_fields = fields

    def get_client_secret(self, obj) -> str | None:
        return self.context.get("plain_secret")


class OAuthClientCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=255)
    authorization_grant_type = serializers.ChoiceField(choices=_GRANT_CHOICES)
    client_type = serializers.ChoiceField(choices=_CLIENT_TYPE_CHOICES, default=Application.CLIENT_CONFIDENTIAL)
    redirect_uris = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Space-separated, exact redirect URIs (authorization code clients only).",
    )
    allowed_scopes = ScopeListField(allow_empty=True, default=list)


class OAuthClientUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=255, required=False)
    redirect_uris = StrictCharField(required=False, allow_blank=True)
    allowed_scopes = ScopeListField(required=False, allow_empty=True)


# --- Audit events -------------------------------------------------------------------------------


class AuditTargetSerializer(serializers.Serializer):
    type = serializers.CharField(source="target_type", help_text="app_label.model of the changed object.")
    id = serializers.CharField(source="target_id")
    repr = serializers.CharField(source="target_repr")


class AuditEventSerializer(serializers.ModelSerializer):
    target = AuditTargetSerializer(source="*", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "created_at",
            "action",
            "actor_id",
            "actor_label",
            "target",
            "changes",
            "request_id",
            "ip",
            "hash",
            "prev_hash",
        ]
        read_only_fields = fields
