"""Governance reviews: a proposed spec revision, the engine's findings against the published one,
the reviewers' decision, and waivers.

The engine reports a change in a shared component once per operation and place that reaches it; a
ChangeGroup is that change said once (the engine's ``Report.groups``), its findings the occurrences.
A waiver waives a group: its reason and expiry cover every occurrence, and it keys on the group's
stable hash (``group_key``), so it still covers the same change in the next review of the version."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from governance.querysets import ChangeGroupQuerySet, FindingQuerySet, ReviewQuerySet, WaiverQuerySet


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


class ChangeGroup(models.Model):
    """One change, said once: every finding of one rule at one origin in one direction."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="groups")
    group_key = models.CharField(
        max_length=16, help_text="The engine's group id: a hash of rule, direction and origin, the same in every run."
    )
    rule = models.CharField(max_length=100)
    level = models.CharField(max_length=4)  # ERR | WARN | INFO: the highest of its findings
    direction = models.CharField(max_length=8, blank=True)  # request | response | ""
    origin = models.CharField(max_length=1000, blank=True)
    text = models.TextField()
    operations = models.JSONField(default=list, blank=True)  # ["GET /v1/charges", ...], "" for the document
    occurrences = models.PositiveIntegerField()
    base_excerpt = models.TextField(blank=True, help_text="The node at the origin in the published document.")
    revision_excerpt = models.TextField(blank=True, help_text="The node at the origin in the proposed document.")
    position = models.PositiveIntegerField(help_text="The engine's order: ERR first, then by origin.")

    objects = ChangeGroupQuerySet.as_manager()

    class Meta:
        ordering = ["review", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "group_key"], name="one_group_per_change")]
        indexes = [models.Index(fields=["review", "level", "position"])]

    def __str__(self):
        return f"{self.level} {self.rule} {self.origin or '(document)'}"


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
    group = models.ForeignKey(
        ChangeGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="findings"
    )  # null only for findings stored before grouping and not backfilled

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]
        indexes = [models.Index(fields=["review", "level"])]

    def __str__(self):
        return f"{self.level} {self.rule_id} {self.operation} {self.path}"


class Waiver(models.Model):
    """A reviewer's decision that a change may ship anyway, with a reason, until it expires.

    It covers every group with its `group_key` in the reviews of its `version` — the group it was
    made on and the same change in the next revision — while it is neither revoked nor expired."""

    group = models.ForeignKey(
        ChangeGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="waivers"
    )  # the group it was made on
    version = models.ForeignKey(
        "governance.ApiVersion", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group_key = models.CharField(max_length=16, blank=True, db_index=True)
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="waivers"
    )  # the occurrence it was made from, when made from one
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
        return f"Waiver of {self.group or self.finding}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
