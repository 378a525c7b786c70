"""Governance reviews: a proposed spec revision, the engine's findings against the published one,
the reviewers' decision, and waivers of individual findings."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from governance.querysets import FindingQuerySet, ReviewQuerySet, WaiverQuerySet


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the engine"
        READY = "ready", "Ready for review"
        FAILED = "failed", "Engine refused the document"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        MERGED = "merged", "Merged (published)"

    version = models.ForeignKey("governance.ApiVersion", on_delete=models.CASCADE, related_name="reviews")
    revision = models.ForeignKey("governance.SpecRevision", on_delete=models.CASCADE, related_name="reviews")
    base_revision = models.ForeignKey(
        "governance.SpecRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The published revision the proposal was compared with (none for a first publication).",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    error = models.TextField(blank=True, help_text="The engine's message when the document was refused.")
    summary = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Review #{self.pk} of {self.version}"


class Finding(models.Model):
    """One change the engine reported (rule id and level as oasdiff's)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=100, db_index=True)
    level = models.CharField(max_length=4)  # ERR | WARN | INFO
    operation = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    base_pointer = models.CharField(max_length=1000, blank=True)
    revision_pointer = models.CharField(max_length=1000, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]
        indexes = [models.Index(fields=["review", "level"])]

    def __str__(self):
        return f"{self.level} {self.rule_id} {self.operation} {self.path}"


class Waiver(models.Model):
    """A reviewer's decision that one finding may ship anyway, with a reason, until it expires."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="waivers")
    reason = models.TextField()
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = WaiverQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Waiver of {self.finding}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
