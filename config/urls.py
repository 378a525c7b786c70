from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import docs, health, metrics
from config import views as config_views
from tenants.oauth import TenantAuthorizationView, TenantIntrospectTokenView, TenantRevokeTokenView, TenantTokenView

# Only the OAuth endpoints partners need; the toolkit's own client-management pages stay unmounted
# (clients are tenant-owned and managed through the portal, the API and the admin).
oauth_patterns: tuple[list[URLPattern | URLResolver], str] = (
    [
        path("authorize/", TenantAuthorizationView.as_view(), name="authorize"),
        path("token/", TenantTokenView.as_view(), name="token"),
        path("revoke_token/", TenantRevokeTokenView.as_view(), name="revoke-token"),
        path("introspect/", TenantIntrospectTokenView.as_view(), name="introspect"),
    ],
    "oauth2_provider",
)

api_v1_patterns: list[URLPattern | URLResolver] = [
    path("", include("tenants.api.urls")),
    path("", include("apikeys.api.urls")),
    path("", include("governance.api.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("", config_views.home, name="home"),
    path("favicon.ico", config_views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("o/", include(oauth_patterns)),
    path("api/<version>/", include(api_v1_patterns)),
    path("portal/", include("tenants.urls")),
    path("portal/", include("apikeys.urls")),  # app_name "keys": keys and usage pages
    path("portal/", include("governance.urls")),  # app_name "governance": deprecations, changelog, webhooks
    path("problems/<slug:slug>", config_views.problem_type, name="problem-type"),
    path("docs-assets/redoc/bundles/redoc.standalone.js", docs.redoc_standalone, name="redoc-bundle"),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
