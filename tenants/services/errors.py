from django.http import Http404

from config.api.problems import Conflict, Problem


class ServiceError(Conflict):
    """A rule of the domain refused the change (409 in the API, a form error on pages)."""


class NotAllowed(Problem):
    def __init__(self, detail: str):
        super().__init__("permission-denied", detail)


class NotInScope(Http404):
    """Another tenant's object reached a service: "not found", as everywhere (the API answers 404
    `not-found`, a page its 404), so its existence is not revealed. Views scope their lookups first;
    this is the services' own check, for the caller that forgot."""


def require(principal, permission: str, message: str | None = None):
    if not principal.can(permission):
        raise NotAllowed(message or f"Your role does not allow this ({permission}).")


def require_own(actor, owner) -> None:
    """Refuse an object of another tenant than the actor's. `owner` is the tenant, its id, or a
    tenant-owned object (anything with `tenant_id`). Platform staff and the system act on every
    tenant; a tenant's principal only on its own."""
    if actor.kind in ("staff", "system"):
        return
    tenant_id = getattr(owner, "tenant_id", None)
    if tenant_id is None:
        tenant_id = getattr(owner, "pk", owner)
    if actor.tenant is None or tenant_id is None or actor.tenant.pk != tenant_id:
        raise NotInScope("No such object exists in your tenant.")
