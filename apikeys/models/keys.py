"""API keys of a tenant. A key row never holds the secret: only its public lookup id and
HMAC-SHA256(pepper, key) with the pepper's version (see apikeys/keys.py). `last_used_at` is folded in
from Redis by a beat task, never written per request."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apikeys import keys
from apikeys.querysets import ApiKeyQuerySet


class ApiKey(models.Model):
    class Environment(models.TextChoices):
        LIVE = "live", "Live"
        TEST = "test", "Test"

    class RevokedReason(models.TextChoices):
        MANUAL = "manual", "Revoked by a member"
        ROTATED = "rotated", "Replaced by rotation"
        LEAKED = "leaked", "Reported as leaked"
        STAFF = "staff", "Revoked by platform staff"
        MEMBER_REMOVED = "member_removed", "Its creator left the tenant"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    environment = models.CharField(max_length=4, choices=Environment.choices, default=Environment.LIVE)
    lookup_id = models.CharField(max_length=keys.LOOKUP_ID_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False, help_text="HMAC-SHA256(pepper, key), hex.")
    # The version of the pepper (settings.APIKEY_PEPPERS) the digest is under; by default the current
    # one, which keys.digest() uses. Rows from before versioned peppers are under version 1.
    pepper_version = models.PositiveSmallIntegerField(default=keys.current_pepper_version, editable=False)
    scopes = models.JSONField(default=list, blank=True)
    allowed_cidrs = models.JSONField(default=list, blank=True, help_text="Empty: any address.")
    expires_at = models.DateTimeField(null=True, blank=True)
    # Per-key rate policy; both empty means the tenant plan's policy (settings.RATELIMIT_PLANS).
    rate_quota = models.PositiveIntegerField(null=True, blank=True)
    rate_window = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=16, choices=RevokedReason.choices, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Rotation: the new key points at the one it replaces; the old one stays valid until valid_until.
    rotated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rotated_to"
    )
    valid_until = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        indexes = [models.Index(fields=["tenant", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_quota__isnull=True, rate_window__isnull=True) | Q(rate_quota__gt=0, rate_window__gt=0),
                name="apikey_rate_policy_complete",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.lookup_id})"

    @property
    def display_prefix(self) -> str:
        return keys.display_prefix(self.environment, self.lookup_id)

    @property
    def status(self) -> str:
        """revoked | expired | rotating | active (what the portal and the API show)."""
        now = timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if (self.expires_at and self.expires_at <= now) or (self.valid_until and self.valid_until <= now):
            return "expired"
        if self.valid_until is not None:
            return "rotating"
        return "active"

    @property
    def is_usable(self) -> bool:
        return self.status in ("active", "rotating")

    @property
    def has_rate_override(self) -> bool:
        return self.rate_quota is not None
