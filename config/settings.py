"""Settings of the API governance console.

Every value comes from the environment and is parsed and validated here, at start-up. DEBUG is off
unless DEBUG=true says otherwise, and with it off the console refuses to start on the development
SECRET_KEY / APIKEY_PEPPER: a deployment that forgets a variable stops instead of running on a
published secret. With DEBUG=true and nothing else the console runs on its embedded defaults: SQLite,
local-memory cache, eager Celery tasks, console e-mail — what `make run` gives on a fresh machine.
"""

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from config.logs import FORMATS as LOG_FORMATS
from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# The development secret. Production must set SECRET_KEY; with DEBUG off and this value the
# console refuses to start (see the check at the end of this module).
INSECURE_DEFAULT_SECRET = "insecure-dev-secret-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"


def _env(name, cast, default):
    """Read one variable, turning a malformed value into a clear start-up error."""
    try:
        return cast(name, default=default)
    except (ValueError, environ.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} has an invalid value: {exc}") from exc


DEBUG = _env("DEBUG", env.bool, False)  # on only where said: `make run`, the test suite (tests/settings.py)
SECRET_KEY = _env("SECRET_KEY", env.str, INSECURE_DEFAULT_SECRET)
# Previous keys, still accepted for signatures (sessions, signed links) during a rotation.
SECRET_KEY_FALLBACKS = _env("SECRET_KEY_FALLBACKS", env.list, [])
ALLOWED_HOSTS = _env("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = _env("CSRF_TRUSTED_ORIGINS", env.list, [])
SITE_URL = _env("SITE_URL", env.str, "http://127.0.0.1:8000").rstrip("/")

# --- Applications -------------------------------------------------------------------------------

INSTALLED_APPS = [
    "config.admin_site.ConsoleAdminConfig",  # django.contrib.admin with the console's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "guardian",
    "django_celery_beat",
    "django_htmx",
    "django_prometheus",
    "axes",  # sign-in lockouts (django-axes; see "Sign-in abuse" below)
    "csp",  # Content-Security-Policy (django-csp): its system checks; the policy is under Security below
    "config.apps.ConsoleConfig",  # observability wiring: tracing, Sentry, login outcomes (config/apps.py)
    "tenants",
    "apikeys",
    "governance",
]

MIDDLEWARE = [
    # Request count and latency (django_http_*), outermost so it times everything below.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Request id, the request context and the one structured log line per request.
    "config.middleware.RequestContextMiddleware",
    # Health checks and metrics, served before host validation (config/health.py says why).
    "config.health.InternalEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ConsoleCSPMiddleware",  # Content-Security-Policy header (config/csp.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out sign-in answers the lockout page (429)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.CurrentTenantMiddleware",
    "apikeys.requestpath.metering.UsageMeteringMiddleware",  # RateLimit headers + one HINCRBY per API call
    # Deprecation / Sunset / Link headers, 410 in brownouts and after sunset (governance/middleware.py).
    # Innermost, so the usage meter also counts the calls it refuses.
    "governance.middleware.LifecycleMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.current_tenant",
            ],
        },
    },
]

# --- Data stores --------------------------------------------------------------------------------

if os.environ.get("DATABASE_URL") or not os.environ.get("DATABASE_HOST"):
    DATABASES = {
        "default": _env("DATABASE_URL", env.db_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    }
else:  # ECS (platform/aws): the password is a secret of its own, never inside a URL in the environment
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": _env("DATABASE_HOST", env.str, ""),
            "PORT": _env("DATABASE_PORT", env.int, 5432),
            "NAME": _env("DATABASE_NAME", env.str, "console"),
            "USER": _env("DATABASE_USER", env.str, "console"),
            "PASSWORD": _env("DATABASE_PASSWORD", env.str, ""),
            "OPTIONS": {"sslmode": _env("DATABASE_SSLMODE", env.str, "require")},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", _env("DATABASE_CONN_MAX_AGE", env.int, 60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# libpq waits forever for a server that accepts and never answers (a partition, a stuck failover):
# give up after this long, so the request answers 503 database-unavailable (config/api/problems.py)
# instead of holding its worker until gunicorn kills it.
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", _env("DATABASE_CONNECT_TIMEOUT_SECONDS", env.int, 5)
    )
# django-prometheus's wrappers of the same backends: query counts, durations and errors (django_db_*).
_PROMETHEUS_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _PROMETHEUS_ENGINES.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _env("REDIS_URL", env.str, "")
if not REDIS_URL and os.environ.get("REDIS_HOST"):  # ECS: the auth token is a secret of its own
    _redis_tls = _env("REDIS_TLS", env.bool, False)
    _redis_token = quote(_env("REDIS_AUTH_TOKEN", env.str, ""), safe="")
    REDIS_URL = "{}://{}{}:{}/{}{}".format(
        "rediss" if _redis_tls else "redis",
        f":{_redis_token}@" if _redis_token else "",
        _env("REDIS_HOST", env.str, ""),
        _env("REDIS_PORT", env.int, 6379),
        _env("REDIS_DB", env.int, 0),
        "?ssl_cert_reqs=required" if _redis_tls else "",  # Celery and kombu want it spelled out on rediss://
    )
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # Redis down: the cache acts empty (a get misses, a set is dropped) instead of failing
                # the request; its users fall back (the lifecycle table is read from the database,
                # the sign-in throttles fail open). Each ignored error is logged (below).
                "IGNORE_EXCEPTIONS": True,
            },
            "KEY_PREFIX": "console",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Celery -------------------------------------------------------------------------------------

CELERY_BROKER_URL = _env("CELERY_BROKER_URL", env.str, REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Exactly one beat fires schedules (a Redis lock; config/beat.py). The embedded default (no broker)
# has no beat to run.
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
BEAT_LOCK_SECONDS = _env("BEAT_LOCK_SECONDS", env.float, 15.0)
CELERY_TIMEZONE = "UTC"
# Named queues, so a slow review never holds up notices, webhook deliveries and usage flushes: the
# process model runs "reviews" in a worker of its own (platform/Procfile, platform/docker/entrypoint.sh).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "governance.analyse_review": {"queue": "reviews"},
    "governance.send_deprecation_notices": {"queue": "notices"},
    "governance.deliver_webhook": {"queue": "notices"},
    "apikeys.tasks.*": {"queue": "usage"},
}
# On SIGTERM a worker finishes its running tasks for up to this long (soft shutdown), then stops and
# the unacknowledged ones (acks_late) go back to the queue for another worker: nothing lost, nothing
# doubled. Keep it below the orchestrator's stop timeout.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = _env("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", env.float, 20.0)
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers keep the console's logging (JSON lines, request ids; config/logs.py), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS = False
# How often the schedule-holding beat samples the queues' depth and age (console_celery_queue_*).
BEAT_SAMPLE_SECONDS = _env("BEAT_SAMPLE_SECONDS", env.float, 15.0)

# --- Authentication -----------------------------------------------------------------------------

AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before any password check
    "django.contrib.auth.backends.ModelBackend",
    "tenants.backends.SeededAdminAliasBackend",  # `admin` signs in as the seeded admin@console.test
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = _env(
    "PASSWORD_HASHERS",
    env.list,
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user row

INVITATION_MAX_AGE = timedelta(days=_env("INVITATION_MAX_AGE_DAYS", env.int, 7))

# The one scope vocabulary, shared by OAuth tokens and (later) API keys.
API_SCOPES = {
    "tenant:read": "Read the current tenant",
    "tenant:write": "Rename the current tenant (owners only)",
    "members:read": "List members and invitations",
    "members:write": "Invite, change roles of and remove members",
    "clients:read": "List OAuth clients",
    "clients:write": "Create, rotate and delete OAuth clients",
    "audit:read": "Read the tenant's audit trail",
    "keys:read": "List API keys",
    "keys:write": "Create, rotate and revoke API keys",
    "keys:verify": "Verify API keys (gateways)",
    "usage:read": "Read usage figures",
    "catalog:read": "Read the API catalog and published specs",
    "deprecations:read": "Read the deprecations affecting the tenant",
    "deprecations:write": "Acknowledge deprecations",
    "webhooks:read": "List webhook endpoints and deliveries",
    "webhooks:write": "Register and remove webhook endpoints",
    "governance:write": "Submit specs for review",
}

OAUTH2_PROVIDER_APPLICATION_MODEL = "tenants.Application"
OAUTH2_PROVIDER = {
    "SCOPES": API_SCOPES,
    "DEFAULT_SCOPES": ["tenant:read"],
    "OAUTH2_VALIDATOR_CLASS": "tenants.oauth.TenantOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": _env("OAUTH_ACCESS_TOKEN_SECONDS", env.int, 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "PKCE_REQUIRED": True,
    "ALLOW_URI_WILDCARDS": False,
    # https only, except loopback redirect URIs for native apps and local development (RFC 8252).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if not DEBUG else ["https", "http"],
    "ALLOW_LOCALHOST_LOOPBACK": DEBUG,
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    # Every RFC 9700 (OAuth 2.0 Security BCP) switch the pinned release offers.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": not DEBUG,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    # The staff console's versions: tenant-aware, no N+1, secrets never shown (tenants/admin/oauth.py).
    "APPLICATION_ADMIN_CLASS": "tenants.admin.oauth.ApplicationAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "tenants.admin.oauth.AccessTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "tenants.admin.oauth.RefreshTokenAdmin",
    "GRANT_ADMIN_CLASS": "tenants.admin.oauth.GrantAdmin",
    "ID_TOKEN_ADMIN_CLASS": "tenants.admin.oauth.IDTokenAdmin",
}

# --- Sign-in abuse (django-axes + address throttles; tenants/signin_abuse.py) -------------------
# A password sign-in (portal and admin) is refused after SIGNIN_FAILURES_PER_ACCOUNT failures for one
# login or SIGNIN_FAILURES_PER_ADDRESS failures from one client address, until SIGNIN_COOLOFF_MINUTES
# have passed since the last failure. Password reset requests and failed invitation links are
# counted per address over windows of the same length.
SIGNIN_FAILURES_PER_ACCOUNT = _env("SIGNIN_FAILURES_PER_ACCOUNT", env.int, 5)
SIGNIN_FAILURES_PER_ADDRESS = _env("SIGNIN_FAILURES_PER_ADDRESS", env.int, 20)
SIGNIN_COOLOFF_MINUTES = _env("SIGNIN_COOLOFF_MINUTES", env.int, 15)
PASSWORD_RESETS_PER_ADDRESS = _env("PASSWORD_RESETS_PER_ADDRESS", env.int, 5)
INVITATION_FAILURES_PER_ADDRESS = _env("INVITATION_FAILURES_PER_ADDRESS", env.int, 20)
for _name in (
    "SIGNIN_FAILURES_PER_ACCOUNT",
    "SIGNIN_FAILURES_PER_ADDRESS",
    "SIGNIN_COOLOFF_MINUTES",
    "PASSWORD_RESETS_PER_ADDRESS",
    "INVITATION_FAILURES_PER_ADDRESS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"Environment variable {_name} must be a positive whole number.")
SIGNIN_ABUSE_KEY_PREFIX = "signin-abuse:"  # cache keys of the address throttles
AXES_ENABLED = True
AXES_HANDLER = "tenants.signin_abuse.SignInAbuseHandler"  # the database handler, one limit per parameter
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either count locks out (the order matters to the handler)
AXES_FAILURE_LIMIT = SIGNIN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = timedelta(minutes=SIGNIN_COOLOFF_MINUTES)
AXES_USERNAME_CALLABLE = "tenants.signin_abuse.normalised_username"  # trimmed, lower-cased
AXES_LOCKOUT_CALLABLE = "tenants.signin_abuse.lockout_response"  # portal/locked_out.html, 429 + Retry-After
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)  # the same address as the request log and audit
AXES_RESET_ON_SUCCESS = False  # a success must not wipe an address's failures against other logins
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no start-up banner on stdout (management commands' output stays theirs)

# --- REST API -----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: a `Bearer gvk_...` header is an API key and must not cost an OAuth token query.
        "apikeys.api.authentication.ApiKeyAuthentication",
        "tenants.api.authentication.TenantOAuth2Authentication",
        "tenants.api.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.api.permissions.ScopedRolePermission"],
    # DRF's three, with a JSON parser that answers a too deeply nested body with a 400.
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["apikeys.requestpath.ratelimit.PolicyThrottle"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.CappedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tenants.api.schema.TenantAutoSchema",
    "EXCEPTION_HANDLER": "config.api.problems.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_MAX_PAGE_SIZE = 200

SPECTACULAR_SETTINGS = {
    "TITLE": "API governance console",
    "DESCRIPTION": (
        "The console's partner API. Authenticate with an API key of your tenant (`X-API-Key: gvk_...`, "
        "or `Authorization: Bearer gvk_...`) or with an OAuth 2.0 bearer token (client credentials, or "
        "authorization code with PKCE). A key and a token carry scopes from one vocabulary; each "
        "operation names the scope it needs. Every error is an RFC 9457 `application/problem+json` "
        "document with a stable `type`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # validatorUrl: Swagger UI's default badge is an image from validator.swagger.io on every host
    # but localhost; the docs pages load nothing from outside (tests/test_docs_pages.py).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The sidecar's Redoc, served by config/docs.py without the Redocly logo it fetches from a CDN.
    "REDOC_DIST": "/docs-assets/redoc",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every PATCH view validates its body with the input serializer as declared (`validated()`), not
    # partially: a field required there is required in a PATCH too, and the document says so.
    "COMPONENT_SPLIT_PATCH": False,
    # Request bodies are documented as JSON, what partners send. The form parsers stay for the browsable
    # API; a form body can't say `null` or nest, so the document doesn't offer it.
    "PARSER_WHITELIST": ["config.api.parsers.JSONParser"],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_problem_responses",
        "config.api.schema.add_console_servers",
    ],
    "OAUTH2_FLOWS": ["clientCredentials", "authorizationCode"],
    "OAUTH2_AUTHORIZATION_URL": "/o/authorize/",
    "OAUTH2_TOKEN_URL": "/o/token/",
    "OAUTH2_REFRESH_URL": "/o/token/",
    "OAUTH2_SCOPES": API_SCOPES,
    # One schema name per shared choice set (OAuth clients and API keys share the scope vocabulary).
    "ENUM_NAME_OVERRIDES": {
        "ScopeEnum": sorted(API_SCOPES),
        "TenantStatusEnum": "tenants.models.tenants.Tenant.Status",
        "MigrationStateEnum": "governance.models.deprecations.MigrationLedgerEntry.State",
        "LifecycleStateEnum": "governance.models.catalog.LifecycleState",
        "ApiKeyStatusEnum": ["active", "rotating", "expired", "revoked"],
        "VerificationCodeEnum": "apikeys.requestpath.verification.CODES",
    },
}

# --- Internationalisation, static files, e-mail -------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
FORMAT_MODULE_PATH = ["config.formats"]  # datetimes shown with their time zone (config/formats/)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = _env("EMAIL_BACKEND", env.str, "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", env.str, "console@localhost")

# --- Security -----------------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health checks and Prometheus reach the targets over plain HTTP inside the VPC.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = _env("SECURE_SSL_REDIRECT", env.bool, True)
    SECURE_HSTS_SECONDS = _env("SECURE_HSTS_SECONDS", env.int, 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Content-Security-Policy (django-csp 4; config/csp.py) --------------------------------------
# Enforced everywhere, DEBUG on or off (the browser tests run under it). No inline script or style
# is allowed: inline blocks that can't move to static files (the API docs' init scripts, the admin
# pages' <style> blocks) carry the per-request nonce (request.csp_nonce). config/csp.py widens it
# per response in two places only: the Redoc page's style-src, and the OAuth consent page's
# form-action (the registered redirect URI's origin).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Logging, metrics, tracing (config/logs.py, config/metrics.py, config/tracing.py) -----------

# JSON lines on stdout in production; readable console lines for development (DEBUG on).
LOG_FORMAT = _env("LOG_FORMAT", env.str, "console" if DEBUG else "json").lower()
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"Environment variable LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}.")
LOG_LEVEL = _env("LOG_LEVEL", env.str, "INFO").upper()
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, /metrics is a 404.
METRICS_TOKEN = _env("METRICS_TOKEN", env.str, "")
PROMETHEUS_EXPORT_MIGRATIONS = False  # /readyz reports unapplied migrations (config/health.py)
# OpenTelemetry traces (Django, Celery, psycopg, Redis) are on only when OTEL_EXPORTER_OTLP_ENDPOINT
# is set; the SDK reads it and the other OTEL_* variables itself (OTEL_SERVICE_NAME, ...).
OTEL_EXPORTER_OTLP_ENDPOINT = _env("OTEL_EXPORTER_OTLP_ENDPOINT", env.str, "")
SENTRY_DSN = _env("SENTRY_DSN", env.str, "")
SENTRY_ENVIRONMENT = _env("SENTRY_ENVIRONMENT", env.str, "development" if DEBUG else "production")
SENTRY_TRACES_SAMPLE_RATE = _env("SENTRY_TRACES_SAMPLE_RATE", env.float, 0.0)
# /readyz: each dependency check gives up after this many seconds.
READINESS_TIMEOUT_SECONDS = _env("READINESS_TIMEOUT_SECONDS", env.float, 2.0)

# --- API keys, rate limits, usage metering (apikeys/) -----------------------------------------------

# HMAC peppers of API key digests, versioned so the pepper can rotate without re-issuing a key
# (platform/README.md, "Rotate secrets"). APIKEY_PEPPERS is "<version>:<pepper>,..." or the JSON
# object {"<version>": "<pepper>", ...}; APIKEY_PEPPER, the single pepper of before, is version 1.
# New digests use the current version (APIKEY_PEPPER_CURRENT, by default the highest); a key stored
# under a lower one still verifies, and its digest is rewritten under the current one on its next use
# (`manage.py apikey_peppers` counts the keys not moved yet). Production must set a pepper (like
# SECRET_KEY) and refuses the development one.
INSECURE_DEFAULT_APIKEY_PEPPER = "insecure-dev-apikey-pepper-change-me"


def _apikey_peppers(listed: str, legacy: str) -> dict[int, str]:
    """{version: pepper} from APIKEY_PEPPERS and APIKEY_PEPPER (version 1), or the development pepper."""
    try:
        if listed.lstrip().startswith("{"):
            pairs = list(json.loads(listed).items())
        else:
            pairs = [item.split(":", 1) for item in listed.split(",") if item.strip()]
        peppers = {int(version): pepper.strip() for version, pepper in pairs}
    except (ValueError, AttributeError) as exc:  # not JSON, no "<version>:", a version or pepper of the wrong kind
        raise ImproperlyConfigured(
            f"APIKEY_PEPPERS must be '<version>:<pepper>,...' or a JSON object of version to pepper ({exc})."
        ) from exc
    if len(peppers) != len(pairs) or not all(version > 0 and pepper for version, pepper in peppers.items()):
        raise ImproperlyConfigured(
            "APIKEY_PEPPERS: each version is a distinct positive integer with a non-empty pepper."
        )
    if legacy and peppers.setdefault(1, legacy) != legacy:
        raise ImproperlyConfigured("APIKEY_PEPPERS names a version 1 other than APIKEY_PEPPER (which is version 1).")
    return peppers or {1: INSECURE_DEFAULT_APIKEY_PEPPER}


APIKEY_PEPPER = _env("APIKEY_PEPPER", env.str, "")
APIKEY_PEPPERS = _apikey_peppers(_env("APIKEY_PEPPERS", env.str, ""), APIKEY_PEPPER)
APIKEY_PEPPER_CURRENT = _env("APIKEY_PEPPER_CURRENT", env.int, max(APIKEY_PEPPERS))
if APIKEY_PEPPER_CURRENT not in APIKEY_PEPPERS:
    raise ImproperlyConfigured(
        f"APIKEY_PEPPER_CURRENT={APIKEY_PEPPER_CURRENT} is not a version of APIKEY_PEPPERS ({sorted(APIKEY_PEPPERS)})."
    )

# Redis of the request path: key cache, rate-limit buckets, cool-offs, usage counters. Empty: all of
# them in each process's memory (apikeys/requestpath/inprocess.py: the same decisions, per process).
APIKEY_REDIS_URL = _env("APIKEY_REDIS_URL", env.str, REDIS_URL)
APIKEY_REDIS_PREFIX = _env("APIKEY_REDIS_PREFIX", env.str, "gv:")
APIKEY_CACHE_SECONDS = _env("APIKEY_CACHE_SECONDS", env.int, 300)
# Redis unreachable: serve without a limit (log + metric) or refuse with 503 service-unavailable.
RATELIMIT_FAIL_OPEN = _env("RATELIMIT_FAIL_OPEN", env.bool, True)
# "<quota>/<window seconds>" per tenant plan; a key may override its plan's policy.
RATELIMIT_PLANS = {
    "free": _env("RATELIMIT_FREE", env.str, "100/60"),
    "standard": _env("RATELIMIT_STANDARD", env.str, "1000/60"),
    "enterprise": _env("RATELIMIT_ENTERPRISE", env.str, "10000/60"),
}
RATELIMIT_ANONYMOUS = _env("RATELIMIT_ANONYMOUS", env.str, "30/60")  # per client address
for _name, _value in [*RATELIMIT_PLANS.items(), ("anonymous", RATELIMIT_ANONYMOUS)]:
    _quota, _, _window = _value.partition("/")
    if not (_quota.isdigit() and _window.isdigit() and int(_quota) > 0 and int(_window) > 0):
        raise ImproperlyConfigured(f"Rate policy {_name}={_value!r} must be '<quota>/<window seconds>', e.g. 100/60.")
# --- Cool-offs after repeated failed credentials (apikeys/requestpath/cooloff.py) -------------------
# Per OAuth client id at /o/token/, /o/introspect/, /o/revoke_token/; per client address for API
# keys. N failures within the cool-off window -> 429 problem+json (Retry-After) for the cool-off.
OAUTH_CLIENT_FAILURES_BEFORE_COOLOFF = _env("OAUTH_CLIENT_FAILURES_BEFORE_COOLOFF", env.int, 10)
OAUTH_CLIENT_COOLOFF_SECONDS = _env("OAUTH_CLIENT_COOLOFF_SECONDS", env.int, 300)
APIKEY_FAILURES_BEFORE_COOLOFF = _env("APIKEY_FAILURES_BEFORE_COOLOFF", env.int, 20)
APIKEY_COOLOFF_SECONDS = _env("APIKEY_COOLOFF_SECONDS", env.int, 300)
USAGE_FLUSH_SECONDS = _env("USAGE_FLUSH_SECONDS", env.int, 60)
CELERY_BEAT_SCHEDULE = {
    "apikeys-flush-usage": {"task": "apikeys.tasks.flush_usage", "schedule": USAGE_FLUSH_SECONDS},
    "apikeys-fold-last-used": {"task": "apikeys.tasks.fold_last_used", "schedule": USAGE_FLUSH_SECONDS},
}

# --- Deprecation notices and webhooks (governance/) -----------------------------------------------

# A notice claimed by a run that then died is resumed by a later run once its claim is this old.
DEPRECATION_NOTICE_LEASE_SECONDS = _env("DEPRECATION_NOTICE_LEASE_SECONDS", env.int, 600)
DEPRECATION_NOTICES_EVERY_SECONDS = _env("DEPRECATION_NOTICES_EVERY_SECONDS", env.int, 900)
WEBHOOK_MAX_ATTEMPTS = _env("WEBHOOK_MAX_ATTEMPTS", env.int, 8)
# The first retry of a failed delivery waits this long, each next one 4x longer (up to a cap:
# governance/tasks/deprecations.py).
WEBHOOK_RETRY_BASE_SECONDS = _env("WEBHOOK_RETRY_BASE_SECONDS", env.int, 30)
# Only for tests and local development: lets webhooks reach loopback and private addresses (never
# the cloud metadata ones). Keep it false anywhere else: it is what stops SSRF.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = _env("WEBHOOK_ALLOW_PRIVATE_NETWORKS", env.bool, False)
CELERY_BEAT_SCHEDULE["governance-deprecation-notices"] = {
    "task": "governance.send_deprecation_notices",
    "schedule": DEPRECATION_NOTICES_EVERY_SECONDS,
}

# --- Fail fast on an unsafe production configuration --------------------------------------------

if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development default. Set SECRET_KEY to a long random "
        "value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if not DEBUG and INSECURE_DEFAULT_APIKEY_PEPPER in APIKEY_PEPPERS.values():
    raise ImproperlyConfigured(
        "DEBUG is off but APIKEY_PEPPER is the development default. Set APIKEY_PEPPER (or APIKEY_PEPPERS) to a "
        "long random value (python -c 'import secrets; print(secrets.token_urlsafe(32))')."
    )
