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
ROLE_RANK = {Role.OWNER: 4, Role.ADMIN: 3, Role.DEVELOPER: 2, Role.VIEWER: 1}


def role_allows(role: str | None, permission: str) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())
