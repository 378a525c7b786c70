"""The API catalog: APIs, their versions and lifecycle, and the spec revisions of each version."""

from django.conf import settings
from django.db import models

from governance.querysets import ApiQuerySet, ApiVersionQuerySet


class LifecycleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PREVIEW = "preview", "Preview"
    ACTIVE = "active", "Active"
    DEPRECATED = "deprecated", "Deprecated"
    SUNSET = "sunset", "Sunset"
    RETIRED = "retired", "Retired"


class Api(models.Model):
    """A public API the platform serves, with its governance policy (defaults from oasdiff's)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PARTNER = "partner", "Partners only"
        INTERNAL = "internal", "Internal"

    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="owned_apis")
    # Policy: minimum days between deprecation and sunset, per state the version was in.
    min_notice_days_preview = models.PositiveIntegerField(default=31)
    min_notice_days_active = models.PositiveIntegerField(default=180)
    require_successor_for_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApiQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = "API"
        permissions = [
            ("own_api", "Can manage this API's versions, lifecycle and deprecations"),
            ("review_api", "Can approve or reject reviews of this API"),
        ]

    def __str__(self):
        return self.name


class ApiVersion(models.Model):
    State = LifecycleState  # the choices of `state`, for code that can't import this module (querysets)

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=32, help_text='The label clients use, e.g. "v1" or "2024-06-01".')
    base_path = models.CharField(
        max_length=200,
        unique=True,
        help_text='Where the platform serves it, e.g. "/api/v1". Enforcement matches on it.',
    )
    state = models.CharField(max_length=16, choices=LifecycleState.choices, default=LifecycleState.DRAFT, db_index=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    published_revision = models.ForeignKey(
        "governance.SpecRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApiVersionQuerySet.as_manager()

    class Meta:
        ordering = ["api__slug", "version"]
        verbose_name = "API version"
        constraints = [models.UniqueConstraint(fields=["api", "version"], name="apiversion_unique_label")]

    def __str__(self):
        return f"{self.api.slug} {self.version}"


class SpecRevision(models.Model):
    """One submitted OpenAPI document of a version, immutable once stored."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload (admin)"
        API = "api", "API"
        CLI = "cli", "CLI"

    version = models.ForeignKey(ApiVersion, on_delete=models.CASCADE, related_name="revisions")
    document = models.TextField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the document bytes.")
    size = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=Source.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["version", "content_hash"])]

    def __str__(self):
        return f"{self.version} @ {self.content_hash[:12]}"
