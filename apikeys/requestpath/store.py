"""The Redis of the request path (and the names of its keys): one client per process (plus, for the rate-limit script, one
connection per thread: see Script), short timeouts, every key prefixed.

The request path talks to Redis directly (redis-py), not through Django's cache, because it needs
EVALSHA and exact control of round trips. A dead Redis must cost a request milliseconds, not the
default socket timeout: connect and read time out quickly and the callers decide fail-open/closed.
"""

import functools
import hashlib
import logging
import os
import threading
from typing import NamedTuple

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


class Script:
    """A Lua script run with EVALSHA on a connection of this thread's own: the request path's one
    round trip.

    Why not `client.register_script(...)(keys=, args=)`: that call goes through redis-py's client
    layers (pool checkout with a poll() for stale data, retry wrapper, observability hooks, an
    encoder per argument). Measured on loopback: 67 µs per EVALSHA that way, 30 µs this way, of
    which Redis runs the script for ~15 µs. Here the connection is held per process and thread
    (never shared, so there is no pool to check out from) and the command goes out in one sendall. What redis-py's Connection does is kept: connect with the client's settings
    (URL, password, TLS, db, timeouts), the PING health check after an idle interval, the RESP
    parser, disconnect on any error.

    Errors: a NOSCRIPT reply (Redis restarted, SCRIPT FLUSH) loads the script and runs it once
    more. A connection that was open and turns out broken (Redis restarted, or closed it) is
    retried once on a fresh one, as redis-py's client retries a ConnectionError; a timeout is not
    retried (the script may have run, and running it twice would charge and count the call twice).
    Anything else raises RedisError, and the caller decides fail-open or fail-closed.
    """

    def __init__(self, source: str):
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()  # Redis names scripts by SHA-1
        self._local = threading.local()

    def __call__(self, keys, args):
        command = _pack("EVALSHA", self.sha, len(keys), *keys, *args)
        try:
            return self._send(command, retry=True)
        except redis.exceptions.NoScriptError:
            self._connection().send_packed_command([_pack("SCRIPT", "LOAD", self.source)], check_health=False)
            self._connection().read_response()
            return self._send(command, retry=False)

    def _send(self, command, *, retry):
        connection = self._connection()
        reused = connection.is_connected  # a fresh connect that fails means Redis is down: no retry
        try:
            connection.send_packed_command([command])
            return connection.read_response()
        except redis.exceptions.TimeoutError:
            raise
        except redis.exceptions.ConnectionError:
            if not (retry and reused):
                raise
            connection.disconnect()
            connection.send_packed_command([command])
            return connection.read_response()

    def _connection(self) -> redis.connection.Connection:
        """This thread's connection, made from the process's client settings (a new one after a
        fork, or when the client is rebuilt because settings.APIKEY_REDIS_URL changed)."""
        current, pid = client(), os.getpid()
        held = getattr(self._local, "held", None)
        if held is None or held[0] is not current or held[1] != pid:
            if held is not None and held[1] == pid:
                held[2].disconnect()  # the client was rebuilt; after a fork the socket is the parent's
            pool = current.connection_pool
            held = (current, pid, pool.connection_class(**pool.connection_kwargs))
            self._local.held = held
        return held[2]


def _pack(*args) -> bytes:
    """A RESP command (array of bulk strings) in one buffer; the arguments are str, bytes or int."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def key(*parts) -> str:
    """A Redis key under the configured prefix, e.g. key("k", lookup_id) -> "gv:k:<lookup>"."""
    return settings.APIKEY_REDIS_PREFIX + ":".join(map(str, parts))


# The names of the request path's state. Both backends (apikeys/requestpath/limiter.py) use them, the
# in-process one as the keys of its own memory, so a test's prefix isolates it in both.


class Names(NamedTuple):
    """The fixed names a key check uses, built once per prefix (an API-key call would otherwise
    join five names from the setting each time)."""

    entry_prefix: str
    last_used: str
    usage: str
    key_bucket_prefix: str
    budget_bucket_prefix: str


@functools.lru_cache(maxsize=16)
def _names(prefix: str) -> Names:
    # "k3": entries carry the tenant's rate budget (and, since "k2", the creator's role); older ones
    # are never read.
    return Names(prefix + "k3:", prefix + "last_used", prefix + "usage:live", prefix + "rl:key:", prefix + "rl:budget:")


def names() -> Names:
    return _names(settings.APIKEY_REDIS_PREFIX)


def entry_key(lookup_id: str) -> str:
    """The cached entry of a key."""
    return names().entry_prefix + lookup_id


def key_bucket_prefix() -> str:
    """The bucket of API key <id> is this prefix + id (the script appends the id it reads)."""
    return names().key_bucket_prefix


def budget_bucket_prefix() -> str:
    """The budget bucket of tenant <id> is this prefix + id (the script appends the entry's tenant)."""
    return names().budget_bucket_prefix


def usage_key() -> str:
    """The live usage hash (field -> calls) the flush folds into the database."""
    return names().usage


def usage_flush_prefix() -> str:
    return key("usage", "flush", "")


def last_used_key() -> str:
    """Key id -> epoch seconds of its last verified call, folded into ApiKey.last_used_at."""
    return names().last_used


def last_used_flush_prefix() -> str:
    return key("last_used", "flush", "")
