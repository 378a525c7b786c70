"""drf-spectacular extensions: the schema states, for every operation, the OAuth scope it needs.

The scope comes from the same place the permission check reads (`required_for`), so the documented
requirement and the enforced one can't drift apart. Imported by `TenantsConfig.ready()` so the
extensions are registered before any schema is generated.
"""

from types import SimpleNamespace

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from config.api.problems import PROBLEM_CONTENT_TYPE
from tenants.api.permissions import required_for


def operation_requirements(auto_schema) -> tuple[str | None, str | None]:
    """(scope, role permission) of the operation being documented, as ScopedRolePermission sees it."""
    view = auto_schema.view
    if not hasattr(view, "read_scope"):
        return None, None
    return required_for(view, SimpleNamespace(method=auto_schema.method.upper()))


class TenantOAuth2Scheme(OpenApiAuthenticationExtension):
    target_class = "tenants.api.authentication.TenantOAuth2Authentication"
    name = "oauth2"
    match_subclasses = True
    priority = 1

    def get_security_requirement(self, auto_schema):
        scope, _ = operation_requirements(auto_schema)
        return {self.name: [scope] if scope else []}

    def get_security_definition(self, auto_schema):
        scopes = dict(settings.API_SCOPES)
        return {
            "type": "oauth2",
            "description": "Client credentials for partner servers; authorization code with PKCE (S256) "
            "for apps acting for a member. A token carries at most its client's allowed scopes.",
            "flows": {
                "clientCredentials": {"tokenUrl": "/o/token/", "scopes": scopes},
                "authorizationCode": {
                    "authorizationUrl": "/o/authorize/",
                    "tokenUrl": "/o/token/",
                    "refreshUrl": "/o/token/",
                    "scopes": scopes,
                },
            },
        }


class TenantSessionScheme(OpenApiAuthenticationExtension):
    """The browsable API and the portal: the session cookie, acting in the session's current tenant
    with the member's role (sessions are not limited by scopes)."""

    target_class = "tenants.api.authentication.TenantSessionAuthentication"
    name = "sessionAuth"
    match_subclasses = True
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class TenantAutoSchema(AutoSchema):
    """Adds the role permission next to the scope: `x-required-scope`, `x-required-permission`
    and a sentence in the description, so a reader of the docs sees both requirements."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        if not self.view.get_authenticators():
            # A deliberately public endpoint (e.g. leak reports from secret scanners): say so with
            # OpenAPI's explicit "no credentials" rather than leaving `security` out.
            operation["security"] = []
            return operation
        scope, permission = operation_requirements(self)
        if scope or permission:
            if scope:
                operation["x-required-scope"] = scope
            if permission:
                operation["x-required-permission"] = permission
            needs = []
            if scope:
                needs.append(f"the scope `{scope}` (on the OAuth token or the API key)")
            if permission:
                needs.append(f"a role granting `{permission}` (see the role table)")
            sentence = "Requires " + " and ".join(needs) + "."
            operation["description"] = (operation.get("description", "") + "\n\n" + sentence).strip()
        return operation


class ProblemSerializer(serializers.Serializer):
    """Named "Problem" in the schema; `config.api.schema.add_problem_responses` supplies its
    definition (RFC 9457), this class only lets views reference it."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


def problem_responses(**descriptions) -> dict:
    """Extra problem+json responses for extend_schema, e.g. problem_responses(conflict="...")."""
    codes = {"conflict": 409, "validation": 400, "not_found": 404, "forbidden": 403}
    return {
        (codes[name], PROBLEM_CONTENT_TYPE): OpenApiResponse(response=ProblemSerializer, description=text)
        for name, text in descriptions.items()
    }
