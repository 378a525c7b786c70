"""OAuth clients of a tenant. The plain secret exists only in the return value of create/rotate."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from tenants import audit
from tenants.grants import GATEWAY_SCOPES, check_grantable
from tenants.models import Application
from tenants.services.errors import NotAllowed, ServiceError, require, require_own

ALLOWED_GRANTS = {grant for grant, _ in Application.GRANT_TYPES}


def _checked_scopes(actor, scopes, *, gateway: bool = False, held=()) -> list[str]:
    return check_grantable(actor, scopes, field="allowed_scopes", gateway=gateway, held=held)


def _require_not_staff_managed(actor, app: Application) -> None:
    if app.is_staff_managed and actor.kind not in ("staff", "system"):
        raise NotAllowed("This client is managed by platform staff (it carries governance rights); ask them.")


def _require_creator_or_admin(actor, app: Application, what: str) -> None:
    """Where a client redirects and who holds its secret decide whose codes and tokens it gets: only
    its creator and the tenant's admins may change them."""
    if actor.kind in ("staff", "system") or actor.can("clients.manage_others"):
        return
    if app.created_by_id is None or actor.person_id != app.created_by_id:
        raise NotAllowed(f"Only the client's creator and the tenant's admins may {what}.")


def revoke_authorizations(app: Application, *, scopes_beyond=None) -> dict:
    """Revoke the client's grants, access tokens and refresh tokens (with `scopes_beyond`, only the
    tokens carrying a scope outside that set). Returns the counts, for the audit record."""
    grants = Grant.objects.filter(application=app)
    access = AccessToken.objects.filter(application=app)
    refresh = RefreshToken.objects.filter(application=app, revoked__isnull=True)
    if scopes_beyond is not None:
        allowed = set(scopes_beyond)
        stale = [t.pk for t in access.only("pk", "scope") if not set(t.scope.split()) <= allowed]
        access = access.filter(pk__in=stale)
        refresh = refresh.filter(access_token__in=stale)
        grants = grants.none()
    counts = {"grants": grants.delete()[0], "refresh_tokens": refresh.update(revoked=timezone.now())}
    counts["access_tokens"] = access.count()
    access.delete()
    return counts


def _validate(app: Application):
    if app.authorization_grant_type not in ALLOWED_GRANTS:
        raise ValidationError(
            {"authorization_grant_type": ["Only client credentials and authorization code are offered."]}
        )
    if (
        app.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
        and app.client_type != Application.CLIENT_CONFIDENTIAL
    ):
        raise ValidationError({"client_type": ["A client-credentials client must be confidential."]})
    try:
        app.clean()  # the toolkit's own checks: redirect URIs present, allowed schemes, no wildcards
    except ValidationError as exc:
        raise ValidationError({"redirect_uris": exc.messages}) from exc


@transaction.atomic
def create_oauth_client(
    *,
    actor,
    name: str,
    authorization_grant_type: str,
    client_type: str = Application.CLIENT_CONFIDENTIAL,
    redirect_uris: str = "",
    allowed_scopes=None,
) -> tuple[Application, str | None]:
    """Create a client; returns it with its plain secret (None for a public client)."""
    require(actor, "clients.manage")
    scopes = _checked_scopes(actor, allowed_scopes)
    secret = generate_client_secret() if client_type == Application.CLIENT_CONFIDENTIAL else ""
    app = Application(
        tenant=actor.tenant,
        name=name,
        user=None,
        created_by_id=actor.person_id,
        authorization_grant_type=authorization_grant_type,
        client_type=client_type,
        redirect_uris=redirect_uris.strip(),
        allowed_scopes=scopes,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=False,
        algorithm="",
    )
    _validate(app)
    app.save()
    audit.record(
        action="oauth_client.created",
        actor=actor,
        tenant=actor.tenant,
        target=app,
        changes={
            "name": name,
            "grant": authorization_grant_type,
            "client_type": client_type,
            "scopes": scopes,
            "client_id": app.client_id,
        },
    )
    return app, (secret or None)


def _locked(actor, application) -> Application:
    require_own(actor, application)
    return Application.objects.for_principal(actor).select_for_update().get(pk=application.pk)


@transaction.atomic
def update_oauth_client(*, actor, application: Application, **fields) -> Application:
    """Rename a client or change its redirect URIs or scopes. A redirect-URI change revokes every
    grant and token the client holds; any change of either asks each person for consent again."""
    require(actor, "clients.manage")
    app = _locked(actor, application)
    _require_not_staff_managed(actor, app)
    staff = actor.kind in ("staff", "system")
    if "is_gateway" in fields and not staff:
        raise ValidationError({"is_gateway": ["Only platform staff can make a client a gateway."]})
    if "governance_identity" in fields and not staff:
        raise ValidationError({"governance_identity": ["Only platform staff can bind a client to an API owner."]})
    gateway = fields.get("is_gateway", app.is_gateway)
    if "allowed_scopes" in fields:
        fields["allowed_scopes"] = _checked_scopes(
            actor, fields["allowed_scopes"], gateway=gateway, held=app.allowed_scopes
        )
    elif not gateway and GATEWAY_SCOPES & set(app.allowed_scopes):
        # A client that stops being a gateway loses the scopes only a gateway may carry.
        fields["allowed_scopes"] = [s for s in app.allowed_scopes if s not in GATEWAY_SCOPES]
    if "redirect_uris" in fields:
        fields["redirect_uris"] = (fields["redirect_uris"] or "").strip()
    changes: dict[str, object] = {}
    for name in ("name", "redirect_uris", "is_gateway", "allowed_scopes", "governance_identity"):
        if name in fields and getattr(app, name) != fields[name]:
            before, after = getattr(app, name), fields[name]
            changes[name] = [getattr(before, "email", before), getattr(after, "email", after)]
            setattr(app, name, after)
    if not changes:
        return app
    if "redirect_uris" in changes:
        _require_creator_or_admin(actor, app, "change where it redirects")
    _validate(app)
    if "redirect_uris" in changes or "allowed_scopes" in changes:
        app.authorization_changed_at = timezone.now()
    app.save()
    if "redirect_uris" in changes:
        changes["revoked"] = revoke_authorizations(app)
    elif "allowed_scopes" in changes:
        changes["revoked"] = revoke_authorizations(app, scopes_beyond=app.allowed_scopes)
    audit.record(action="oauth_client.updated", actor=actor, tenant=app.tenant, target=app, changes=changes)
    return app


@transaction.atomic
def rotate_client_secret(*, actor, application: Application) -> tuple[Application, str]:
    """Issue a new secret; the old one stops working at once. Tokens already issued stay valid
    until they expire (revoke them separately if the secret leaked)."""
    require(actor, "clients.manage")
    app = _locked(actor, application)
    _require_not_staff_managed(actor, app)
    _require_creator_or_admin(actor, app, "rotate its secret")
    if app.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ServiceError("A public client has no secret to rotate.")
    secret = generate_client_secret()
    app.client_secret = secret
    app.secret_rotated_at = timezone.now()
    app.save()
    audit.record(
        action="oauth_client.secret_rotated",
        actor=actor,
        tenant=app.tenant,
        target=app,
        changes={"client_id": app.client_id},
    )
    return app, secret


@transaction.atomic
def delete_oauth_client(*, actor, application: Application) -> None:
    """Delete a client and, with it (cascade), every token it was issued."""
    require(actor, "clients.manage")
    app = _locked(actor, application)
    _require_not_staff_managed(actor, app)
    audit.record(
        action="oauth_client.deleted",
        actor=actor,
        tenant=app.tenant,
        target=app,
        changes={"client_id": app.client_id, "name": app.name},
    )
    app.delete()
