"""The tenants app's endpoints, declared for the cross-tenant harness (see tests/harness.py)."""

import itertools

from django.db import transaction

from tenants import audit
from tenants.principal import Principal
from tenants.roles import Role
from tenants.services import invite_member
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.harness import Action, Endpoint, register

_numbers = itertools.count(1)


def _someone_of(tenant) -> Principal:
    """A fresh person acting as owner of `tenant` (for building data, not a member row)."""
    return Principal.for_member(UserFactory(), tenant, Role.OWNER)


def make_invitation(tenant):
    with transaction.atomic():
        return invite_member(actor=_someone_of(tenant), email=f"invitee-{next(_numbers)}@example.test")


def make_audit_event(tenant):
    with transaction.atomic():
        return audit.record(action="test.recorded", actor=_someone_of(tenant), tenant=tenant, target=tenant)


register(
    Endpoint(
        name="tenant",
        url="/api/v1/tenant/",
        singleton=True,
        make=lambda tenant: tenant,
        actions=[
            Action("retrieve", "get", "tenant:read", "tenant.view"),
            Action.update("tenant:write", "tenant.manage", payload={"name": "Renamed Inc."}),
        ],
    )
)

register(
    Endpoint(
        name="members",
        url="/api/v1/members/",
        make=lambda tenant: MembershipFactory(tenant=tenant, role=Role.VIEWER, user=UserFactory()),
        actions=[
            *Action.reads("members:read", "members.view"),
            Action.update("members:write", "members.manage", payload={"role": Role.DEVELOPER}),
            Action.destroy("members:write", "members.manage"),
        ],
    )
)

register(
    Endpoint(
        name="invitations",
        url="/api/v1/invitations/",
        make=make_invitation,
        actions=[
            *Action.reads("members:read", "members.view"),
            Action.create(
                "members:write",
                "invitations.manage",
                payload=lambda obj: {"email": f"new-{next(_numbers)}@example.test", "role": Role.VIEWER},
            ),
            Action.destroy("members:write", "invitations.manage"),
            Action.custom("revoke", "members:write", "invitations.manage"),
        ],
    )
)

register(
    Endpoint(
        name="oauth-clients",
        url="/api/v1/oauth-clients/",
        make=lambda tenant: ApplicationFactory(tenant=tenant, created_by=UserFactory()),
        actions=[
            *Action.reads("clients:read", "clients.view"),
            Action.create(
                "clients:write",
                "clients.manage",
                payload={
                    "name": "Partner server",
                    "authorization_grant_type": "client-credentials",
                    "allowed_scopes": ["tenant:read"],
                },
            ),
            Action.update("clients:write", "clients.manage", payload={"name": "Renamed client"}),
            Action.destroy("clients:write", "clients.manage"),
            # The client was made by someone else: only admins rotate another's secret.
            Action.custom("rotate_secret", "clients:write", "clients.manage_others"),
        ],
    )
)

register(
    Endpoint(
        name="audit-events",
        url="/api/v1/audit-events/",
        make=make_audit_event,
        actions=Action.reads("audit:read", "audit.view"),
    )
)
