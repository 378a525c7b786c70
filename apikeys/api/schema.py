"""drf-spectacular: document API-key authentication (imported by ApikeysConfig.ready())."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.api.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"
    match_subclasses = True
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An API key of the tenant (`gvk_live_...` / `gvk_test_...`), in `X-API-Key` or as "
            "`Authorization: Bearer gvk_...`. It carries the scopes chosen when it was created.",
        }
