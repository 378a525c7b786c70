"""The console's own app config (no models): the observability wiring that must happen once per
process, as Django starts and before the WSGI handler builds its middleware chain.

- tracing and error reporting (config/tracing.py), each only when its variable is set;
- sign-in outcomes of the portal and the admin (console_auth_attempts_total{method="login"}).
"""

from django.apps import AppConfig


def _logged_in(sender, request=None, user=None, **kwargs):
    from config.metrics import AUTH_ATTEMPTS

    AUTH_ATTEMPTS.labels("login", "success").inc()


def _login_failed(sender, credentials=None, request=None, **kwargs):
    from config.metrics import AUTH_ATTEMPTS

    AUTH_ATTEMPTS.labels("login", "failure").inc()


class ConsoleConfig(AppConfig):
    name = "config"
    label = "console"
    verbose_name = "Console"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from config import tracing

        tracing.setup()
        user_logged_in.connect(_logged_in, dispatch_uid="console-metrics-logged-in")
        user_login_failed.connect(_login_failed, dispatch_uid="console-metrics-login-failed")
