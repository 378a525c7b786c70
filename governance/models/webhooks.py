"""Tenants' webhook endpoints and every delivery made to them (Standard Webhooks signing)."""

from django.db import models

from governance.querysets import WebhookDeliveryQuerySet, WebhookEndpointQuerySet


class WebhookEndpoint(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # The signing secret ("whsec_..."), encrypted at rest with a key derived from SECRET_KEY: it must be
    # recoverable to sign, so it can't be hashed. Shown once at creation.
    secret_encrypted = models.TextField(editable=False)
    event_types = models.JSONField(default=list, blank=True, help_text="Empty: every event.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (will retry)"
        GAVE_UP = "gave_up", "Gave up"
        REFUSED = "refused", "Refused (unsafe address)"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=64, unique=True, help_text="webhook-id: stable across retries.")
    event_type = models.CharField(max_length=80)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event_type} → {self.endpoint} ({self.status})"
