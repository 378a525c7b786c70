"""OAuth clients of a tenant. The plain secret exists only in the return value of create/rotate."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret

from tenants import audit
from tenants.models import Application
from tenants.services.errors import ServiceError, require

ALLOWED_GRANTS = {grant for grant, _ in Application.GRANT_TYPES}
# Scopes only a platform gateway client (Application.is_gateway, set by staff) may carry.
GATEWAY_SCOPES = frozenset({"keys:verify"})


def _checked_scopes(actor, scopes, *, gateway: bool = False) -> list[str]:
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in settings.API_SCOPES]
    if unknown:
        raise ValidationError({"allowed_scopes": [f"Unknown scope(s): {', '.join(unknown)}."]})
    reserved = [s for s in scopes if s in GATEWAY_SCOPES]
    if reserved and not gateway:
        raise ValidationError(
            {"allowed_scopes": [f"{', '.join(reserved)} is reserved for platform gateway clients (set by staff)."]}
        )
    if actor.scopes is not None:
        beyond = [s for s in scopes if s not in actor.scopes]
        if beyond:
            raise ValidationError(
                {"allowed_scopes": [f"You can't grant scopes your own credential lacks: {', '.join(beyond)}."]}
            )
    return scopes


def _validate(app: Application):
    if app.authorization_grant_type not in ALLOWED_GRANTS:
        raise ValidationError({"authorization_grant_type": ["Only client credentials and authorization code are offered."]})
    if app.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS and app.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ValidationError({"client_type": ["A client-credentials client must be confidential."]})
    try:
        app.clean()  # the toolkit's own checks: redirect URIs present, allowed schemes, no wildcards
    except ValidationError as exc:
        raise ValidationError({"redirect_uris": exc.messages}) from exc


@transaction.atomic
def create_oauth_client(
    *, actor, name: str, authorization_grant_type: str, client_type: str = Application.CLIENT_CONFIDENTIAL,
    redirect_uris: str = "", allowed_scopes=None,
) -> tuple[Application, str | None]:
    """Create a client; returns it with its plain secret (None for a public client)."""
    require(actor, "clients.manage")
    scopes = _checked_scopes(actor, allowed_scopes)
    secret = generate_client_secret() if client_type == Application.CLIENT_CONFIDENTIAL else ""
    app = Application(
        tenant=actor.tenant,
        name=name,
        user=None,
        created_by=actor.user,
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
    audit.record(action="oauth_client.created", actor=actor, tenant=actor.tenant, target=app,
                 changes={"name": name, "grant": authorization_grant_type, "client_type": client_type,
                          "scopes": scopes, "client_id": app.client_id})
    return app, (secret or None)


def _locked(actor, application) -> Application:
    return Application.objects.for_principal(actor).select_for_update().get(pk=application.pk)


@transaction.atomic
def update_oauth_client(*, actor, application: Application, **fields) -> Application:
    require(actor, "clients.manage")
    app = _locked(actor, application)
    changes = {}
    if "is_gateway" in fields and actor.kind not in ("staff", "system"):
        raise ValidationError({"is_gateway": ["Only platform staff can make a client a gateway."]})
    gateway = fields.get("is_gateway", app.is_gateway)
    if "allowed_scopes" in fields:
        fields["allowed_scopes"] = _checked_scopes(actor, fields["allowed_scopes"], gateway=gateway)
    elif not gateway and GATEWAY_SCOPES & set(app.allowed_scopes):
        # A client that stops being a gateway loses the scopes only a gateway may carry.
        fields["allowed_scopes"] = [s for s in app.allowed_scopes if s not in GATEWAY_SCOPES]
    for name in ("name", "redirect_uris", "is_gateway", "allowed_scopes"):
        if name in fields and getattr(app, name) != fields[name]:
            changes[name] = [getattr(app, name), fields[name]]
            setattr(app, name, fields[name])
    if not changes:
        return app
    _validate(app)
    app.save()
    audit.record(action="oauth_client.updated", actor=actor, tenant=app.tenant, target=app, changes=changes)
    return app


@transaction.atomic
def rotate_client_secret(*, actor, application: Application) -> tuple[Application, str]:
    """Issue a new secret; the old one stops working at once. Tokens already issued stay valid
    until they expire (revoke them separately if the secret leaked)."""
    require(actor, "clients.manage")
    app = _locked(actor, application)
    if app.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ServiceError("A public client has no secret to rotate.")
    secret = generate_client_secret()
    app.client_secret = secret
    app.secret_rotated_at = timezone.now()
    app.save()
    audit.record(action="oauth_client.secret_rotated", actor=actor, tenant=app.tenant, target=app,
                 changes={"client_id": app.client_id})
    return app, secret


@transaction.atomic
def delete_oauth_client(*, actor, application: Application) -> None:
    """Delete a client and, with it (cascade), every token it was issued."""
    require(actor, "clients.manage")
    app = _locked(actor, application)
    audit.record(action="oauth_client.deleted", actor=actor, tenant=app.tenant, target=app,
                 changes={"client_id": app.client_id, "name": app.name})
    app.delete()
