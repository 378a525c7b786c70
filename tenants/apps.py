from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants, members and OAuth clients"

    def ready(self):
        # Registers the drf-spectacular extensions (OAuth2 scopes per operation, session cookie).
        from tenants import checks  # noqa: F401  (start-up checks: tenant-owned views are scoped)
        from tenants.api import schema  # noqa: F401
