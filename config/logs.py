"""Logging: structlog over the standard library, one JSON object a line on stdout (or readable
console lines for development), never a secret.

Every record, whether it comes from structlog (`structlog.get_logger()`) or from the standard
library (Django, Celery, `logging.getLogger(__name__)` in our modules), goes through one
ProcessorFormatter: it gets `timestamp`, `level`, `logger`, `process` (the pid: which gunicorn
worker or Celery pool process) and the `request_id` of the request or task being served (config.middleware's context variable), then every string is scrubbed of API
keys, bearer / basic credentials and the values of secret-sounding fields, then rendered.

    LOG_FORMAT=json      JSON lines (the default with DEBUG off: production, `make prod`)
    LOG_FORMAT=console   key=value lines for a person (the default with DEBUG on: `make run`)

The one line per request is written by config.middleware.RequestContextMiddleware (event
"request"); the one line per Celery task by config.celery (event "task").
"""

from __future__ import annotations

import re
import sys
from typing import Any

import structlog

from config.middleware import current_request_id

FORMATS = ("json", "console")
REDACTED = "[redacted]"
# An API key (apikeys/keys.py: gvk_<env>_<lookup id><secret><checksum>), a bearer or basic credential.
_API_KEY = re.compile(r"\bgvk_(live|test)_[A-Za-z0-9_-]+")
_CREDENTIAL = re.compile(r"\b(Bearer|bearer|BEARER|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}")
# Values of these fields (in a structlog event or a dict logged as a value) are never written.
_SECRET_FIELD = re.compile(
    r"(pass(word)?|secret|token|authorization|api[_-]?key|cookie|session(id)?|pepper|signature|credential)",
    re.IGNORECASE,
)
_NOT_SECRET = frozenset({"event", "logger", "level", "timestamp", "request_id", "principal_kind"})


def scrub_text(text: str) -> str:
    text = _API_KEY.sub(lambda m: f"gvk_{m.group(1)}_{REDACTED}", text)
    return _CREDENTIAL.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def _scrub(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and _SECRET_FIELD.search(k) else _scrub(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v, depth + 1) for v in value)
    return value


def redact(_logger, _method, event_dict: dict) -> dict:
    """The last processor before rendering: no key, token or secret-named value leaves."""
    for key, value in list(event_dict.items()):
        if key not in _NOT_SECRET and _SECRET_FIELD.search(key) and value is not None:
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(value)
    return event_dict


def add_request_id(_logger, _method, event_dict: dict) -> dict:
    event_dict.setdefault("request_id", current_request_id())
    return event_dict


def _pre_chain() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.CallsiteParameterAdder([structlog.processors.CallsiteParameter.PROCESS]),
        add_request_id,
    ]


def renderer(log_format: str):
    if log_format == "console":
        return structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())
    return structlog.processors.JSONRenderer()


def formatter_config(log_format: str) -> dict:
    """The dictConfig entry of the one formatter (used by settings.LOGGING and by tests)."""
    final = [structlog.processors.format_exc_info] if log_format == "json" else []
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": _pre_chain(),
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *final,
            redact,
            renderer(log_format),
        ],
    }


def make_formatter(log_format: str = "json") -> structlog.stdlib.ProcessorFormatter:
    config = formatter_config(log_format)
    config.pop("()")
    return structlog.stdlib.ProcessorFormatter(**config)


def logging_config(*, log_format: str, level: str) -> dict:
    """settings.LOGGING; also configures structlog itself (once, at settings import)."""
    structlog.configure(
        processors=[*_pre_chain(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter_config(log_format)},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "structured"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's default handlers (a plain console one with DEBUG on, mail_admins) give way to
            # the root's: every line is structured.
            "django": {"handlers": [], "level": level, "propagate": True},
            # runserver's access line repeats the request line.
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            "django.db.backends": {"level": "WARNING"},
            # Django's own "Not Found: /path" / "Unauthorized: /path" lines repeat the request line;
            # its 5xx tracebacks stay.
            "django.request": {"level": "ERROR"},
            # The OAuth library logs request internals at DEBUG; never let them through.
            "oauthlib": {"level": "WARNING"},
            "celery.redirected": {"level": "WARNING"},
        },
    }
