from django.apps import AppConfig


class ApikeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys, rate limits and usage"

    def ready(self):
        from apikeys import receivers  # noqa: F401  (cache invalidation on tenant and member changes)
        from apikeys.api import schema  # noqa: F401  (the API-key security scheme in the OpenAPI schema)
