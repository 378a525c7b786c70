"""Invitations: a signed, expiring, single-use link e-mailed to the invitee."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tenants import audit
from tenants.models import Invitation, Membership
from tenants.roles import ROLE_RANK, Role
from tenants.services.errors import ServiceError, require, require_own

_SALT = "tenants.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("portal:accept-invitation", args=[invitation_token(invitation)])


class InvalidInvitation(ServiceError):
    pass


def invitation_from_token(token: str) -> Invitation:
    """The usable invitation a link names; InvalidInvitation with the reason otherwise."""
    max_age = settings.INVITATION_MAX_AGE
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidInvitation("This invitation link has expired; ask for a new one.") from None
    except signing.BadSignature:
        raise InvalidInvitation("This invitation link is not valid.") from None
    # The signed token is the credential: it names the invitation, whatever tenant it belongs to.
    invitation = Invitation.objects.across_tenants().select_related("tenant").filter(pk=data.get("i")).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, str(data.get("n", ""))):
        raise InvalidInvitation("This invitation link is not valid.")
    if invitation.status != "pending":
        raise InvalidInvitation(f"This invitation is {invitation.status}.")
    return invitation


@transaction.atomic
def invite_member(*, actor, email: str, role: str = Role.VIEWER) -> Invitation:
    require(actor, "invitations.manage")
    email = email.strip().lower()
    if actor.role is not None and ROLE_RANK[role] > ROLE_RANK[actor.role]:
        raise ServiceError("You can't invite someone with a higher role than your own.")
    if role == Role.OWNER:
        require(actor, "members.manage_owners", "Only an owner can invite an owner.")
    tenant = actor.tenant
    if Membership.objects.for_tenant(tenant).filter(user__email__iexact=email).exists():
        raise ServiceError(f"{email} is already a member of {tenant.name}.")
    if Invitation.objects.for_tenant(tenant).pending().filter(email__iexact=email).exists():
        raise ServiceError(f"{email} already has a pending invitation.")
    invitation = Invitation.objects.create(
        tenant=tenant,
        email=email,
        role=role,
        nonce=secrets.token_urlsafe(24),
        invited_by_id=actor.person_id,
        expires_at=timezone.now() + settings.INVITATION_MAX_AGE,
    )
    audit.record(
        action="invitation.created",
        actor=actor,
        tenant=tenant,
        target=invitation,
        changes={"email": email, "role": role},
    )
    url = invitation_url(invitation)
    inviter = actor.user.email if actor.user is not None else tenant.name
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {tenant.name} on the API console",
            message=f"{inviter} invited you to join {tenant.name} as {role}.\n\n"
            f"Accept within {settings.INVITATION_MAX_AGE.days} days: {url}\n",
            from_email=None,
            recipient_list=[email],
        )
    )
    return invitation


@transaction.atomic
def revoke_invitation(*, actor, invitation: Invitation) -> Invitation:
    require(actor, "invitations.manage")
    require_own(actor, invitation)
    invitation = Invitation.objects.for_principal(actor).select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ServiceError(f"The invitation is already {invitation.status}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        action="invitation.revoked",
        actor=actor,
        tenant=invitation.tenant,
        target=invitation,
        changes={"email": invitation.email},
    )
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, user) -> Membership:
    """Accept with the signed-in `user`; the invitation's e-mail must be theirs."""
    from tenants.principal import Principal

    invitation = invitation_from_token(token)
    invitation = (
        Invitation.objects.for_tenant(invitation.tenant_id)
        .select_for_update()
        .select_related("tenant")
        .get(pk=invitation.pk)
    )
    if invitation.status != "pending":
        raise InvalidInvitation(f"This invitation is {invitation.status}.")
    if invitation.email.lower() != user.email.lower():
        raise InvalidInvitation(f"This invitation was sent to {invitation.email}; sign in with that address.")
    membership, created = Membership.objects.get_or_create(
        user=user, tenant=invitation.tenant, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    actor = Principal.for_member(user, invitation.tenant, membership.role)
    audit.record(
        action="invitation.accepted",
        actor=actor,
        tenant=invitation.tenant,
        target=membership,
        changes={"email": invitation.email, "role": membership.role, "new_member": created},
    )
    return membership
