"""Tenant roles and what each may do: the one table every permission check reads.

A permission is "<resource>.<verb>". Roles are cumulative (each includes the one below it), but the
table spells every permission out so that a reader never has to follow inheritance.
"""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    DEVELOPER = "developer", "Developer"
    VIEWER = "viewer", "Viewer"


_VIEWER = {
    "tenant.view",
    "members.view",
    "clients.view",
    "keys.view",
    "usage.view",
    "catalog.view",
    "deprecations.view",
    "webhooks.view",
}
_DEVELOPER = _VIEWER | {
    "clients.manage",
    "keys.manage",
    "deprecations.acknowledge",
    "webhooks.manage",
    "governance.submit",
}
_ADMIN = _DEVELOPER | {
    "members.manage",
    "invitations.manage",
    "audit.view",
    # Edit the redirect URIs of, or rotate the secret of, an OAuth client someone else created.
    "clients.manage_others",
}
_OWNER = _ADMIN | {
    "tenant.manage",
    "members.manage_owners",  # make or unmake owners
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(_OWNER),
    Role.ADMIN: frozenset(_ADMIN),
    Role.DEVELOPER: frozenset(_DEVELOPER),
    Role.VIEWER: frozenset(_VIEWER),
}

ALL_PERMISSIONS = frozenset(_OWNER)

# Roles ordered from most to least powerful; used to stop an admin granting more than they hold.
ROLE_RANK: dict[str, int] = {Role.OWNER: 4, Role.ADMIN: 3, Role.DEVELOPER: 2, Role.VIEWER: 1}


def role_allows(role: str | None, permission: str) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())


def lower_role(*roles: str | None) -> str | None:
    """The least powerful of `roles`; None (no role at all) if any of them is None."""
    known = [role for role in roles if role is not None]
    if len(known) < len(roles):
        return None
    return min(known, key=lambda role: ROLE_RANK[role])


# The role permission a person needs to put a scope on a credential (an API key, an OAuth client):
# the permission the endpoints behind that scope ask of a person. A person can't hand a program more
# than they may do themselves. `None`: no tenant role grants it (keys:verify is for platform gateway
# clients, which only staff make). Every scope of settings.API_SCOPES has a row (tested).
SCOPE_GRANT_PERMISSIONS: dict[str, str | None] = {
    "tenant:read": "tenant.view",
    "tenant:write": "tenant.manage",
    "members:read": "members.view",
    "members:write": "members.manage",
    "clients:read": "clients.view",
    "clients:write": "clients.manage",
    "audit:read": "audit.view",
    "keys:read": "keys.view",
    "keys:write": "keys.manage",
    "keys:verify": None,
    "usage:read": "usage.view",
    "catalog:read": "catalog.view",
    "deprecations:read": "deprecations.view",
    "deprecations:write": "deprecations.acknowledge",
    "webhooks:read": "webhooks.view",
    "webhooks:write": "webhooks.manage",
    "governance:write": "governance.submit",
}


def role_may_grant(role: str | None, scope: str) -> bool:
    permission = SCOPE_GRANT_PERMISSIONS.get(scope)
    return permission is not None and role_allows(role, permission)


def grantable_scopes(role: str | None) -> frozenset[str]:
    return frozenset(scope for scope in SCOPE_GRANT_PERMISSIONS if role_may_grant(role, scope))


def scope_table_markdown() -> str:
    """The role x scope table of the README (tests/tenants/test_scope_grants.py keeps them equal)."""
    roles = list(Role)
    lines = [
        "| scope | needs | " + " | ".join(r.label.lower() for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for scope, permission in SCOPE_GRANT_PERMISSIONS.items():
        cells = ["yes" if role_may_grant(r, scope) else "no" for r in roles]
        lines.append(
            f"| `{scope}` | {f'`{permission}`' if permission else 'staff (gateways)'} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines) + "\n"
