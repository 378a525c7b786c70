from django.apps import AppConfig


class ApikeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys, rate limits and usage"

    def ready(self):
        from apikeys import receivers, schema  # noqa: F401
