"""DRF authentication: every credential resolves to one `Principal`, kept in the request context
(`config.context.context_of(request).principal`)."""

import hashlib

from django.contrib.auth.models import AnonymousUser
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import get_access_token_model
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from config.api.problems import Problem
from config.context import context_of
from config.metrics import AUTH_ATTEMPTS
from tenants.models import Membership
from tenants.principal import Principal, credential_role


def set_principal(request, principal: Principal) -> None:
    context_of(request).principal = principal


def count_attempt(method: str, result: str) -> None:
    """One presented credential's outcome (console_auth_attempts_total): method apikey | oauth |
    session, result success or why it was refused."""
    AUTH_ATTEMPTS.labels(method, result).inc()


class _Refused:
    """Counts the refusal that leaves its block as an exception (and lets it go on)."""

    def __init__(self, method: str):
        self.method = method

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, exceptions.APIException):
            count_attempt(self.method, _result_of(exc))
        return False


def _result_of(exc) -> str:
    if isinstance(exc, Problem) and exc.problem_type.slug == "tenant-suspended":
        return "suspended"
    if isinstance(exc, exceptions.AuthenticationFailed):
        return "invalid"
    return "refused"


def ensure_active(tenant) -> None:
    if tenant is not None and not tenant.is_active:
        raise Problem("tenant-suspended", f"The tenant {tenant.slug} is suspended; every credential is refused.")


class TenantOAuth2Authentication(OAuth2Authentication):
    """Bearer tokens: the token's client decides the tenant; its scopes limit what it may do."""

    def authenticate(self, request):
        with _Refused("oauth"):
            found = self._principal(request)
        if found is None:
            return None
        principal, token = found
        count_attempt("oauth", "success")
        set_principal(request, principal)
        return (token.user or AnonymousUser(), token)

    def _principal(self, request):
        """(the token's principal, the token), None without a bearer token; raises on a refusal."""
        result = super().authenticate(request)
        if result is None:
            refuse_presented_token(request)
            return None
        _, token = result
        application = token.application
        tenant = application.tenant
        ensure_active(tenant)
        if application.disabled_at is not None:
            raise exceptions.AuthenticationFailed(f"The OAuth client is disabled: {application.disabled_reason}")
        scopes = frozenset(token.scope.split())
        if token.user_id is not None:
            # Authorization-code token: a person acting through an app; their role still applies.
            role = Membership.objects.for_tenant(tenant).role_of(token.user_id)
            if role is None:
                raise exceptions.AuthenticationFailed("The token's user is no longer a member of its tenant.")
            principal = Principal(
                tenant=tenant, user=token.user, role=role, kind="oauth", scopes=scopes, application=application
            )
        else:
            # Client credentials: the client acts for the person who made it, never above them.
            creator_id = application.created_by_id
            creator_role = Membership.objects.for_tenant(tenant).role_of(creator_id)
            role = credential_role(creator_id, creator_role)
            if role is None:
                raise exceptions.AuthenticationFailed("The OAuth client's creator is no longer a member of its tenant.")
            principal = Principal(
                tenant=tenant, role=role, kind="oauth", scopes=scopes, application=application, creator_id=creator_id
            )
        return principal, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def refuse_presented_token(request) -> None:
    """The toolkit answers None for every token it won't accept, which would read as "no
    credentials" (or fall through to the session). A caller who did present a bearer token hears
    why instead: its tenant is suspended (403 tenant-suspended; the toolkit refuses those tokens via
    Application.is_usable) or the token is unknown, expired or revoked (401 authentication-failed)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return
    checksum = hashlib.sha256(value.encode()).hexdigest()
    token = (
        get_access_token_model().objects.select_related("application__tenant").filter(token_checksum=checksum).first()
    )
    if token is not None and token.application is not None and not token.is_expired():
        ensure_active(token.application.tenant)
    raise exceptions.AuthenticationFailed("The bearer token is unknown, expired or revoked.")


class TenantSessionAuthentication(SessionAuthentication):
    """The browsable API and the portal's own calls: the session's current tenant and role."""

    def authenticate(self, request):
        with _Refused("session"):
            result = super().authenticate(request)
            if result is None:
                return None
            user, _ = result
            membership = context_of(request).membership
            if membership:
                ensure_active(membership.tenant)
                principal = Principal(tenant=membership.tenant, user=user, role=membership.role, kind="session")
            else:
                principal = Principal(tenant=None, user=user, kind="session")
        count_attempt("session", "success")
        set_principal(request, principal)
        return result
