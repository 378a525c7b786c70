"""Who is calling: one principal per request, whatever the credential.

A session, an OAuth token and (later) an API key all resolve to a `Principal`: the tenant it acts in,
the person behind it if any, its role and the scopes its credential carries. Views ask the principal,
never a tenant id from the request.
"""

from dataclasses import dataclass, field
from typing import Any

from tenants.roles import Role, lower_role, role_allows

# Credentials with no person at the keyboard (client-credentials tokens, API keys) act with at most
# the rights of an admin: they can't make or unmake owners or change the tenant itself.
MACHINE_ROLE = Role.ADMIN


def credential_role(creator_id, creator_role: str | None) -> str | None:
    """The role a machine credential acts with, decided on every request.

    A credential a person made acts as the lower of MACHINE_ROLE and that person's *current* role in
    the tenant (`creator_role`, None once they left it): a developer's key is a developer, and a
    demoted admin's key is demoted with them. One made by platform staff or the system (no creator)
    acts as MACHINE_ROLE."""
    if creator_id is None:
        return MACHINE_ROLE
    return lower_role(MACHINE_ROLE, creator_role)


@dataclass(frozen=True)
class Principal:
    # Model instances (Tenant, User, Application) or, for an API key, light stand-ins built from the
    # cache entry (apikeys.api.authentication): typed Any to admit both.
    tenant: Any
    user: Any = None
    role: str | None = None
    kind: str = "session"  # "session" | "oauth" | "apikey" | "staff" | "system"
    scopes: frozenset[str] | None = None  # None: not limited by scopes (an interactive session)
    application: Any = None
    api_key: Any = None
    # The person who made the machine credential in use (API key, client-credentials client); the
    # credential acts for them, bounded by their role (credential_role). None for people's own
    # sessions and tokens (see `person_id`) and for credentials staff made.
    creator_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    def can(self, permission: str) -> bool:
        if self.kind in ("staff", "system"):
            return True
        return role_allows(self.role, permission)

    @property
    def person_id(self) -> int | None:
        """The person behind the request: the signed-in user, or the creator of the credential."""
        if self.user is not None and self.user.pk:
            return self.user.pk
        return self.creator_id

    @property
    def actor_label(self) -> str:
        if self.kind == "system":
            return "system"
        if self.user is not None and self.application is not None:
            return f"{self.user.email} via {self.application.client_id}"
        if self.user is not None:
            return self.user.email
        if self.application is not None:
            return f"oauth-client:{self.application.client_id}"
        if self.api_key is not None:
            return f"api-key:{self.api_key.lookup_id}"
        return "anonymous"

    @classmethod
    def for_member(cls, user, tenant, role, **kwargs):
        return cls(tenant=tenant, user=user, role=role, **kwargs)

    @classmethod
    def for_staff(cls, user, tenant=None):
        return cls(tenant=tenant, user=user, role=None, kind="staff")

    @classmethod
    def system(cls, tenant=None):
        return cls(tenant=tenant, kind="system")
