"""Every write to tenants, memberships, invitations and OAuth clients.

Services are keyword-only, run in one transaction, check the caller's rights and write one audit
event. Views and admin actions call these and nothing else."""

from tenants.services.clients import create_oauth_client, delete_oauth_client, rotate_client_secret, update_oauth_client
from tenants.services.invitations import accept_invitation, invite_member, revoke_invitation
from tenants.services.members import add_member, change_member_role, leave_tenant, remove_member
from tenants.services.tenants import create_tenant, reactivate_tenant, suspend_tenant, update_tenant

__all__ = [
    "accept_invitation",
    "add_member",
    "change_member_role",
    "create_oauth_client",
    "create_tenant",
    "delete_oauth_client",
    "invite_member",
    "leave_tenant",
    "reactivate_tenant",
    "remove_member",
    "revoke_invitation",
    "rotate_client_secret",
    "suspend_tenant",
    "update_oauth_client",
    "update_tenant",
]
