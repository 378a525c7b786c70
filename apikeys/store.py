"""The Redis of the request path: one client per process, short timeouts, every key prefixed.

The request path talks to Redis directly (redis-py), not through Django's cache, because it needs
EVALSHA and exact control of round trips. A dead Redis must cost a request milliseconds, not the
default socket timeout: connect and read time out quickly and the callers decide fail-open/closed.
"""

import logging
import threading

import redis
from django.conf import settings

log = logging.getLogger(__name__)

RedisError = redis.exceptions.RedisError

_lock = threading.Lock()
_client: redis.Redis | None = None
_client_url: str | None = None


def enabled() -> bool:
    return bool(settings.APIKEY_REDIS_URL)


def client() -> redis.Redis:
    """The process's client for settings.APIKEY_REDIS_URL (rebuilt if the setting changes, as tests
    do)."""
    global _client, _client_url
    url = settings.APIKEY_REDIS_URL
    if _client is None or _client_url != url:
        with _lock:
            if _client is None or _client_url != url:
                _client = redis.Redis.from_url(
                    url,
                    socket_connect_timeout=0.25,
                    socket_timeout=0.5,
                    retry_on_timeout=False,
                    health_check_interval=30,
                    decode_responses=False,
                )
                _client_url = url
    return _client


def reset() -> None:
    global _client, _client_url
    with _lock:
        if _client is not None:
            _client.close()
        _client, _client_url = None, None


def key(*parts) -> str:
    """A Redis key under the configured prefix, e.g. key("k", lookup_id) -> "gv:k:<lookup>"."""
    return settings.APIKEY_REDIS_PREFIX + ":".join(str(p) for p in parts)
