from django.conf import settings
from django.db import models
from oauth2_provider.models import AbstractApplication

from tenants.querysets import ApplicationQuerySet


class Application(AbstractApplication):
    """A tenant-owned OAuth 2.0 client (swapped in for django-oauth-toolkit's Application).

    Only two grants are offered: client credentials for partner servers and authorization code
    (PKCE S256 required) for apps acting for a member. The secret is hashed by the toolkit on save;
    the plain value exists only in the response that created or rotated it.
    """

    GRANT_TYPES = [
        (AbstractApplication.GRANT_CLIENT_CREDENTIALS, "Client credentials"),
        (AbstractApplication.GRANT_AUTHORIZATION_CODE, "Authorization code (PKCE)"),
    ]

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="oauth_clients")
    allowed_scopes = models.JSONField(default=list, blank=True, help_text="Scopes tokens of this client may carry.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # A platform gateway (Kong, Envoy, a Lambda authorizer) may hold `keys:verify` and so learns which
    # tenant owns any key it verifies: only staff can make a client one, never a tenant.
    is_gateway = models.BooleanField(
        default=False, help_text="Platform gateway: may carry keys:verify. Set by staff only."
    )
    # Governance rights (submitting specs for an API) never come from who created a tenant-managed
    # client: staff bind a client to a platform API owner here, and only then do its
    # client-credentials tokens act for that person in governance. Such a client is staff-managed:
    # tenant members can't edit, rotate or delete it.
    governance_identity = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Staff only: the platform API owner whose governance rights this client's tokens carry.",
    )
    # When the redirect URIs or the scopes last changed: a consent given before then no longer
    # covers the client, so `approval_prompt=auto` is not honoured until the person consents again.
    authorization_changed_at = models.DateTimeField(null=True, blank=True)
    # A client whose creator left the tenant (or was narrowed below what it needs) stops issuing
    # tokens; its tokens are revoked with it.
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = "OAuth client"  # what the portal, the API and partners call it
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.name} ({self.client_id})"

    def is_usable(self, request):
        """The toolkit asks this before it authenticates the client: a suspended tenant's clients
        get no tokens."""
        return self.tenant.is_active and self.disabled_at is None and super().is_usable(request)

    @property
    def is_staff_managed(self) -> bool:
        return self.governance_identity_id is not None

    @property
    def created_at(self):
        return self.created
