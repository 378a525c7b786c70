"""What a person made outlives neither their membership nor their role.

When a member is demoted, every credential they made (OAuth clients here, API keys in the apikeys
app, which receives `member_access_changed`) loses the scopes the new role can't grant; when they
leave or are removed, those credentials are revoked, and so are the tokens and pending invitations
of theirs. Each change is audited, and the tenant's owners get one e-mail listing them.
Credentials also act with their creator's current role on every request (tenants.principal), so
this is the second fence, not the only one.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from tenants import audit
from tenants.grants import kept_scopes
from tenants.models import Application, Invitation, Membership
from tenants.roles import ROLE_RANK, role_allows
from tenants.services.clients import revoke_authorizations
from tenants.services.errors import require_own
from tenants.signals import member_access_changed


def follow_member_change(*, actor, tenant, user, role: str | None) -> list[str]:
    """Narrow (new `role`) or revoke (`role` None) what `user` made in `tenant`. Call inside the
    members service's transaction, after the membership row changed. Returns what changed."""
    require_own(actor, tenant)
    changed = _narrow_clients(actor, tenant, user, role)
    if role is None:
        changed += _revoke_personal_tokens(actor, tenant, user)
    changed += _revoke_invitations(actor, tenant, user, role)
    for _receiver, lines in member_access_changed.send(
        sender=Membership, actor=actor, tenant=tenant, user_id=user.pk, role=role
    ):
        changed += lines or []
    if changed:
        _notify_owners(tenant, user, role, changed)
    return changed


def _narrow_clients(actor, tenant, user, role) -> list[str]:
    changed = []
    for app in (
        Application.objects.for_tenant(tenant)
        .select_for_update()
        .filter(created_by_id=user.pk, disabled_at__isnull=True)
    ):
        if role is None:
            app.disabled_at = timezone.now()
            app.disabled_reason = f"its creator {user.email} left the tenant"
            app.save(update_fields=["disabled_at", "disabled_reason", "updated"])
            revoked = revoke_authorizations(app)
            audit.record(
                action="oauth_client.disabled",
                actor=actor,
                tenant=tenant,
                target=app,
                changes={"client_id": app.client_id, "reason": app.disabled_reason, "revoked": revoked},
            )
            changed.append(f"OAuth client {app.name} ({app.client_id}) disabled, its tokens revoked")
            continue
        keep = kept_scopes(app.allowed_scopes, role)
        if keep == list(app.allowed_scopes):
            continue
        dropped = sorted(set(app.allowed_scopes) - set(keep))
        app.allowed_scopes = keep
        app.authorization_changed_at = timezone.now()
        app.save(update_fields=["allowed_scopes", "authorization_changed_at", "updated"])
        revoked = revoke_authorizations(app, scopes_beyond=keep)
        audit.record(
            action="oauth_client.narrowed",
            actor=actor,
            tenant=tenant,
            target=app,
            changes={"client_id": app.client_id, "dropped_scopes": dropped, "role": role, "revoked": revoked},
        )
        changed.append(f"OAuth client {app.name} ({app.client_id}) lost {', '.join(dropped)}")
    return changed


def _revoke_personal_tokens(actor, tenant, user) -> list[str]:
    """Authorization-code tokens the person holds for the tenant's clients."""
    from oauth2_provider.models import AccessToken, RefreshToken

    access = AccessToken.objects.filter(user_id=user.pk, application__tenant=tenant)
    count = access.count()
    if not count:
        return []
    RefreshToken.objects.filter(user_id=user.pk, application__tenant=tenant, revoked__isnull=True).update(
        revoked=timezone.now()
    )
    access.delete()
    audit.record(
        action="oauth_token.revoked",
        actor=actor,
        tenant=tenant,
        target=None,
        changes={"user": user.email, "access_tokens": count, "reason": "left the tenant"},
    )
    return [f"{count} OAuth token(s) {user.email} had authorized revoked"]


def _revoke_invitations(actor, tenant, user, role) -> list[str]:
    """Pending invitations they sent for a role they could no longer invite to."""
    pending = Invitation.objects.for_tenant(tenant).pending().select_for_update().filter(invited_by_id=user.pk)
    changed = []
    for invitation in pending:
        may_invite = (
            role is not None
            and role_allows(role, "invitations.manage")
            and ROLE_RANK[invitation.role] <= ROLE_RANK[role]
        )
        if may_invite:
            continue
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(
            action="invitation.revoked",
            actor=actor,
            tenant=tenant,
            target=invitation,
            changes={"email": invitation.email, "reason": f"the inviter {user.email} is no longer allowed to"},
        )
        changed.append(f"invitation of {invitation.email} as {invitation.role} revoked")
    return changed


def _notify_owners(tenant, user, role, changed) -> None:
    owners = list(
        Membership.objects.for_tenant(tenant).owners().exclude(user_id=user.pk).values_list("user__email", flat=True)
    )
    if not owners:
        return
    what = f"was made {role}" if role is not None else "left the tenant"
    body = (
        f"{user.email} {what} in {tenant.name}. The credentials and invitations they made were "
        f"changed to match:\n\n" + "\n".join(f"- {line}" for line in changed) + "\n"
    )
    subject = f"[{tenant.name}] Credentials of {user.email} were narrowed or revoked"
    transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=owners))
