"""django-oauth-toolkit glue: tenant rules for scopes and authorization codes, and an RFC 7662
introspection endpoint that only answers about tokens of the asking client's own tenant."""

import base64
import hashlib
import logging
from urllib.parse import unquote_plus

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_access_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from apikeys.requestpath import cooloff
from config.api.problems import problem_response
from config.middleware import current_client_ip
from tenants.grants import GATEWAY_SCOPES
from tenants.models import Application, Membership
from tenants.principal import Principal

log = logging.getLogger(__name__)


class TenantOAuth2Validator(OAuth2Validator):
    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        """A token may carry only scopes its client was allowed (and that exist)."""
        allowed = set(client.allowed_scopes or [])
        if not client.is_gateway:
            allowed -= GATEWAY_SCOPES
        return (
            bool(scopes)
            and set(scopes) <= allowed
            and super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)
        )

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        """No `scope` parameter: the token gets every scope the client is allowed."""
        client = request.client or Application.objects.filter(client_id=client_id).first()
        return list(client.allowed_scopes or []) if client else []

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        """A person may authorize only a client of a tenant they belong to."""
        user = request.user
        if not Membership.objects.filter(user=user, tenant_id=request.client.tenant_id).exists():
            raise oauth_errors.AccessDeniedError(
                description="You are not a member of the tenant that owns this client.", request=request
            )
        return super().save_authorization_code(client_id, code, request, *args, **kwargs)


class TenantAuthorizationView(AuthorizationView):
    """The consent page. `approval_prompt=auto` skips it only when the person consented to the
    client as it is now: a live token of theirs issued after the client's redirect URIs and scopes
    last changed (Application.authorization_changed_at). Otherwise the page is shown, naming where
    the client will send them, so a redirect someone added since can't collect a code silently."""

    def get(self, request, *args, **kwargs):
        if request.GET.get("approval_prompt") == "auto" and not self._consent_still_covers(request):
            request.GET = request.GET.copy()
            request.GET["approval_prompt"] = "force"
        return super().get(request, *args, **kwargs)

    @staticmethod
    def _consent_still_covers(request) -> bool:
        client = Application.objects.filter(client_id=request.GET.get("client_id", "")).first()
        if client is None or not request.user.is_authenticated:
            return False
        tokens = get_access_token_model().objects.filter(user=request.user, application=client)
        if client.authorization_changed_at is not None:
            tokens = tokens.filter(created__gt=client.authorization_changed_at)
        return tokens.exists()


def _client_credentials(request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
            client_id, _, secret = decoded.partition(":")
            return unquote_plus(client_id), unquote_plus(secret)
        except (ValueError, UnicodeDecodeError):
            return "", ""
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def authenticate_confidential_client(request) -> Application | None:
    client_id, secret = _client_credentials(request)
    if not client_id or not secret:
        return None
    app = Application.objects.select_related("tenant").filter(client_id=client_id).first()
    if app is None or app.client_type != Application.CLIENT_CONFIDENTIAL or not app.tenant.is_active:
        check_password(secret, None)  # type: ignore[arg-type]  # spend the same time as a real check
        return None
    return app if check_password(secret, app.client_secret) else None


def _presented_client_ids(request) -> list[str]:
    """Every client id the request names: the HTTP Basic one and the body's. The toolkit tries the
    body's credentials when the Basic ones fail, so both are checked and charged: naming a decoy in
    the header can't let the body's guesses go uncounted."""
    ids = []
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        ids.append(_client_credentials(request)[0])
    ids.append(request.POST.get("client_id", ""))
    return list(dict.fromkeys(i for i in ids if i))


def _audit_cooloff(client_id: str) -> None:
    """The audit event of a cool-off that started: in the client's tenant chain when the client
    exists, else in the platform chain (an unknown client id is refused alike)."""
    from tenants import audit

    app = Application.objects.select_related("tenant").filter(client_id=client_id).first()
    failures, seconds = cooloff.limits(cooloff.OAUTH_CLIENT)
    changes = {"failures": failures, "cooloff_seconds": seconds, "client_ip": current_client_ip() or ""}
    try:
        with transaction.atomic():
            if app is not None:
                audit.record(
                    action="oauth_client.cooloff_started",
                    actor=Principal.system(app.tenant),
                    tenant=app.tenant,
                    target=app,
                    changes=changes,
                )
            else:
                changes["client_id"] = client_id[:100]
                audit.record(action="oauth_client.cooloff_started", actor=Principal.system(), changes=changes)
    except Exception:  # the refusal must not fail on its audit trail
        log.exception("OAuth client cool-off: could not write the audit event")


def cooloff_response(request, retry_after: int):
    response = problem_response(
        request,
        "too-many-failures",
        f"Too many failed client authentications for this client id; retry in {retry_after} seconds.",
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class ClientCooloffMixin:
    """For the endpoints where OAuth clients authenticate: OAUTH_CLIENT_FAILURES_BEFORE_COOLOFF
    failed client authentications (a 401) for one client id within OAUTH_CLIENT_COOLOFF_SECONDS
    refuse every request naming it for OAUTH_CLIENT_COOLOFF_SECONDS (429 problem+json, Retry-After),
    the right secret included, so guessing can't go on. Known and unknown client ids are counted
    and refused alike. A success (200) resets the count of the one client id it authenticated."""

    def post(self, request, *args, **kwargs):
        client_ids = _presented_client_ids(request)
        for client_id in client_ids:
            wait = cooloff.remaining(cooloff.OAUTH_CLIENT, client_id)
            if wait:
                return cooloff_response(request, wait)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 401:
            wait = 0
            for client_id in client_ids:
                started, left = cooloff.fail(cooloff.OAUTH_CLIENT, client_id, client_ip=current_client_ip())
                if started:
                    _audit_cooloff(client_id)
                wait = max(wait, left)
            if wait:
                return cooloff_response(request, wait)
        elif response.status_code == 200 and len(client_ids) == 1:
            cooloff.reset(cooloff.OAUTH_CLIENT, client_ids[0])
        return response


class TenantTokenView(ClientCooloffMixin, TokenView):
    """The toolkit's token endpoint, with the client cool-off."""


class TenantRevokeTokenView(ClientCooloffMixin, RevokeTokenView):
    """The toolkit's revocation endpoint (RFC 7009), with the client cool-off."""


class _IntrospectTokenView(View):
    """RFC 7662. The caller authenticates as a confidential client (HTTP Basic or body). A token of
    another tenant, an unknown, expired or revoked token all answer {"active": false}."""

    http_method_names = ["post"]

    def post(self, request):
        client = authenticate_confidential_client(request)
        if client is None:
            response = JsonResponse({"error": "invalid_client"}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="oauth"'
            return response
        token_value = request.POST.get("token", "")
        if not token_value:
            return JsonResponse({"error": "invalid_request", "error_description": "token is required"}, status=400)
        checksum = hashlib.sha256(token_value.encode()).hexdigest()
        token = (
            get_access_token_model()
            .objects.select_related("application__tenant", "user")
            .filter(token_checksum=checksum)
            .first()
        )
        if token is None or not token.is_valid() or token.application.tenant_id != client.tenant_id:
            return JsonResponse({"active": False})
        body = {
            "active": True,
            "scope": token.scope,
            "client_id": token.application.client_id,
            "token_type": "Bearer",
            "exp": int(token.expires.timestamp()),
            "tenant": token.application.tenant.slug,
        }
        if token.user is not None:
            body["username"] = token.user.email
            body["sub"] = str(token.user.pk)
        return JsonResponse(body)


@method_decorator(csrf_exempt, name="dispatch")
class TenantIntrospectTokenView(ClientCooloffMixin, _IntrospectTokenView):
    """The introspection endpoint, with the client cool-off."""
