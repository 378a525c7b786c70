"""Who is calling: one principal per request, whatever the credential.

A session, an OAuth token and (later) an API key all resolve to a `Principal`: the tenant it acts in,
the person behind it if any, its role and the scopes its credential carries. Views ask the principal,
never a tenant id from the request.
"""

from dataclasses import dataclass, field

from tenants.roles import Role, role_allows

# Credentials with no person behind them (client-credentials tokens, API keys) act with at most the
# rights of an admin: they can't make or unmake owners or change the tenant itself.
MACHINE_ROLE = Role.ADMIN


@dataclass(frozen=True)
class Principal:
    tenant: object | None
    user: object | None = None
    role: str | None = None
    kind: str = "session"  # "session" | "oauth" | "apikey" | "staff" | "system"
    scopes: frozenset[str] | None = None  # None: not limited by scopes (an interactive session)
    application: object | None = None
    api_key: object | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    def can(self, permission: str) -> bool:
        if self.kind in ("staff", "system"):
            return True
        return role_allows(self.role, permission)

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
