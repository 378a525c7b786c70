from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from tenants.querysets import MembershipQuerySet
from tenants.roles import Role


class Tenant(models.Model):  # type: ignore[django-manager-missing]  # the swapped OAuth Application
    """A partner organisation. Owns members, OAuth clients, keys, usage, webhooks."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    class Plan(models.TextChoices):
        FREE = "free", "Free"
        STANDARD = "standard", "Standard"
        ENTERPRISE = "enterprise", "Enterprise"

    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.FREE)
    suspended_reason = models.CharField(max_length=500, blank=True)
    # The tenant-wide rate budget all its credentials draw from together, set by staff; both empty
    # means the plan's policy (settings.RATELIMIT_PLANS). See apikeys/requestpath/policies.py tenant_budget.
    rate_quota = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Staff only: requests per window for all the tenant's credentials together. Empty: the plan's limit.",
    )
    rate_window = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_quota__isnull=True, rate_window__isnull=True) | Q(rate_quota__gt=0, rate_window__gt=0),
                name="tenant_rate_budget_complete",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (self.rate_quota is None) != (self.rate_window is None):
            raise ValidationError({"rate_quota": "Give both a quota and a window, or neither (the plan's limit)."})
        if self.rate_quota is not None and (self.rate_quota < 1 or self.rate_window < 1):
            raise ValidationError({"rate_quota": "Quota and window must be positive."})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Membership(models.Model):
    """A user's role in one tenant."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "tenant"], name="membership_unique_user_tenant")]
        indexes = [models.Index(fields=["tenant", "role"])]

    def __str__(self):
        return f"{self.user} in {self.tenant} as {self.role}"
