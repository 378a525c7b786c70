"""Which scopes a person may put on a credential (an API key, an OAuth client).

A credential never exceeds the person behind it: each scope needs the role permission of
`tenants.roles.SCOPE_GRANT_PERMISSIONS`, checked against the actor's role, and a credential can't
mint a wider one than itself (the actor's own scopes bound what it grants). Platform staff and the
system grant any scope; `keys:verify` only ever goes to gateway clients, which staff mark.
"""

from django.conf import settings
from django.core.exceptions import ValidationError

from tenants.principal import MACHINE_ROLE
from tenants.roles import grantable_scopes, lower_role, role_may_grant

# Scopes only a platform gateway client (Application.is_gateway, set by staff) may carry.
GATEWAY_SCOPES = frozenset({"keys:verify"})


def check_grantable(actor, scopes, *, field: str, gateway: bool = False, held=()) -> list[str]:
    """The scopes, sorted and de-duplicated, or a ValidationError on `field` naming the refused ones.

    `held`: the scopes the credential has now. A gateway client keeps the reserved scopes staff gave
    it when a member edits its other scopes."""
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in settings.API_SCOPES]
    if unknown:
        raise ValidationError({field: [f"Unknown scope(s): {', '.join(unknown)}."]})
    staff = actor.kind in ("staff", "system")
    reserved = [s for s in scopes if s in GATEWAY_SCOPES and not (gateway and (staff or s in held))]
    if reserved:
        raise ValidationError(
            {field: [f"{', '.join(reserved)} is reserved for platform gateway clients (set by staff)."]}
        )
    if staff:
        return scopes
    beyond_role = [s for s in scopes if s not in GATEWAY_SCOPES and not role_may_grant(actor.role, s)]
    if beyond_role:
        raise ValidationError(
            {
                field: [
                    f"Your role ({actor.role or 'none'}) can't grant: {', '.join(beyond_role)}. "
                    "A credential can do no more than the person who makes it."
                ]
            }
        )
    if actor.scopes is not None:
        beyond = [s for s in scopes if s not in actor.scopes]
        if beyond:
            raise ValidationError({field: [f"You can't grant scopes your own credential lacks: {', '.join(beyond)}."]})
    return scopes


def kept_scopes(scopes, role: str | None) -> list[str]:
    """The scopes a credential made by someone now of `role` keeps (gateway scopes are staff's)."""
    allowed = grantable_scopes(lower_role(MACHINE_ROLE, role)) | GATEWAY_SCOPES
    return [s for s in scopes if s in allowed]
