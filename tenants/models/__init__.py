from tenants.models.audit import AuditChainHead, AuditEvent
from tenants.models.invitations import Invitation
from tenants.models.oauth import Application
from tenants.models.tenants import Membership, Tenant
from tenants.models.users import User

__all__ = ["AuditChainHead", "AuditEvent", "Application", "Invitation", "Membership", "Tenant", "User"]
