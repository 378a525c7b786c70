"""Usage metering: every authenticated API call counted in Redis, folded into PostgreSQL.

Counting: one HINCRBY per call on a single live hash, field
    "<tenant id>|<credential>|<api>|<version>|<hour epoch>|<operation>|<status class>"
made INSIDE the rate-limit script call (apikeys/requestpath/gcra.lua), so an authenticated call costs one Redis
round trip in all. The script counts an allowed call as 2xx and a refused one as 4xx; after the
response, the rare call whose status class differs (a 403 from a permission check, a 404, a 5xx)
is moved to the right class with one MULTI (-1, +1), and a call no script counted (Redis was down
for the throttle, an endpoint without throttle) gets its HINCRBY here.

Without Redis (the embedded default) the counters live in this process (apikeys/requestpath/inprocess.py),
counted the same way in the same step as the rate-limit decision, and folded by the same code: no
beat task can reach a process's memory, so every USAGE_FLUSH_SECONDS the process's next request
folds them first (flush_in_process_if_due). Counts not yet folded when the process stops are lost.

Folding on Redis (a beat task, `flush_usage`), crash-safe without locks:
1. RENAME the live hash to a unique flush key (atomic: new calls start a fresh live hash);
2. in ONE PostgreSQL transaction, insert a UsageFlush(flush_key) row (unique) and upsert every
   field into UsageRecord (count = count + n);
3. DEL the flush key.
A flush that dies before 2 commits leaves the flush key in Redis and nothing in PostgreSQL; one that
dies between 2 and 3 leaves the key and its UsageFlush row. Every flush first re-processes the flush
keys it finds: with a UsageFlush row they are only deleted, otherwise folded. Nothing is lost,
nothing counted twice; two flushers racing on one key serialise on the UsageFlush unique index.
"""

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apikeys.requestpath import metrics, store
from apikeys.requestpath.backends import backend
from config import metrics as console_metrics
from config.context import context_of
from config.metrics import VERIFY_DURATION

log = logging.getLogger(__name__)

CONSOLE_API = "console"
VERIFY_URL_NAME = "apikey-verify"  # the gateway verify endpoint (apikeys/api/urls.py), timed here
SEPARATOR = "|"
_BATCH = 500


live_key = store.usage_key
flush_prefix = store.usage_flush_prefix


def current_hour(now: float | None = None) -> int:
    now = time.time() if now is None else now
    return int(now) // 3600 * 3600


def _clean(value: str, limit: int) -> str:
    return (value or "").replace(SEPARATOR, "/")[:limit]


def credential_of(principal) -> str:
    if principal.api_key is not None:
        return f"key:{principal.api_key.lookup_id}"
    if principal.application is not None:
        return f"oauth:{principal.application.client_id}"
    if principal.user is not None:
        return f"session:{principal.user.pk}"
    return principal.kind


def usage_field(*, credential: str, api: str, version: str, operation: str, hour: int | None = None) -> str:
    """The field without tenant and status class (the gateway script adds both)."""
    hour = current_hour() if hour is None else hour
    return SEPARATOR.join([credential, _clean(api, 100), _clean(version, 32), str(hour), _clean(operation, 200)])


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def operation_of(request) -> str:
    match = request.resolver_match
    name = match.url_name if match is not None and match.url_name else (match.route if match else request.path)
    return f"{request.method} {name}"


def call_field(request, credential: str) -> str:
    """This call's field without tenant and status class (an API key's script call adds its tenant)."""
    match = request.resolver_match
    version = (match.kwargs.get("version") if match is not None else None) or "-"
    return usage_field(credential=credential, api=CONSOLE_API, version=version, operation=operation_of(request))


def field_for(request, principal) -> str | None:
    """The call's field without status class, for a principal with a tenant; None otherwise."""
    if principal is None or principal.tenant is None:
        return None
    return f"{principal.tenant.pk}{SEPARATOR}{call_field(request, credential_of(principal))}"


def mark_counted(request, field: str, allowed: bool) -> None:
    """A script call counted this call already (as 2xx if allowed, else 4xx)."""
    context_of(request).usage_counted = (field, "2xx" if allowed else "4xx")


def count_call(request, response) -> None:
    """After the response: count the call, or correct the status class a script counted it under.
    The common case (counted by the script, status class as expected) costs no Redis command."""
    context = context_of(request)
    principal = context.principal
    if principal is None or principal.tenant is None:
        return
    actual = status_class(response.status_code)
    counted = context.usage_counted
    if counted is not None and counted[1] == actual:
        return
    try:
        if counted is None:
            field = field_for(request, principal)
            backend().add_usage([(f"{field}{SEPARATOR}{actual}", 1)])
        else:
            field, counted_class = counted
            backend().add_usage([(f"{field}{SEPARATOR}{counted_class}", -1), (f"{field}{SEPARATOR}{actual}", 1)])
    except store.RedisError as exc:
        metrics.incr("metering.lost")
        log.warning("Usage of one call not counted (Redis unavailable: %s)", exc)


class UsageMeteringMiddleware:
    """Adds the RateLimit headers of the request's decision and counts the call (and times the
    gateway verify endpoint: console_gateway_verify_duration_seconds)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        if not store.enabled():
            flush_in_process_if_due()
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.url_name == VERIFY_URL_NAME:
            VERIFY_DURATION.observe(time.perf_counter() - started)
        decision = context_of(request).ratelimit_decision
        if decision is not None:
            for name, value in decision.headers().items():
                response.headers.setdefault(name, value)
        if request.path.startswith("/api/"):
            count_call(request, response)
        return response


# --- Folding into PostgreSQL --------------------------------------------------------------------


@dataclass
class FlushResult:
    flush_keys: int = 0
    skipped: int = 0  # orphans already counted (their UsageFlush row exists): deleted only
    fields: int = 0
    calls: int = 0


def parse_field(field: str):
    parts = field.split(SEPARATOR)
    if len(parts) < 7:
        return None
    tenant, credential, api, version, hour = parts[:5]
    return int(tenant), credential, api, version, int(hour), SEPARATOR.join(parts[5:-1]), parts[-1]


_UPSERT = """
INSERT INTO apikeys_usagerecord (tenant_id, credential, api_key_id, api, version, operation, status_class, hour, count)
VALUES {values}
ON CONFLICT (tenant_id, credential, api, version, operation, status_class, hour)
DO UPDATE SET count = apikeys_usagerecord.count + EXCLUDED.count
"""


def _rows(data: Mapping) -> list[tuple]:
    from apikeys.models import ApiKey
    from tenants.models import Tenant

    totals: defaultdict[tuple, int] = defaultdict(int)
    for raw_field, raw_count in data.items():
        parsed = parse_field(raw_field.decode() if isinstance(raw_field, bytes) else raw_field)
        if parsed is None:
            log.error("Skipping malformed usage field %r", raw_field)
            continue
        totals[parsed] += int(raw_count)
    tenants = set(Tenant.objects.filter(pk__in={k[0] for k in totals}).values_list("pk", flat=True))
    lookups = {k[1][4:] for k in totals if k[1].startswith("key:")}
    key_ids = {
        lookup: (pk, tenant)
        for pk, lookup, tenant in ApiKey.objects.across_tenants()
        .filter(lookup_id__in=lookups)
        .values_list("pk", "lookup_id", "tenant_id")
    }
    rows = []
    for (tenant, credential, api, version, hour, operation, klass), count in totals.items():
        if tenant not in tenants or count == 0:
            continue  # a deleted tenant's usage goes with it; 0 is a status-class correction's net
        key = key_ids.get(credential[4:]) if credential.startswith("key:") else None
        api_key_id = key[0] if key is not None and key[1] == tenant else None
        rows.append(
            (
                tenant,
                credential,
                api_key_id,
                api,
                version,
                operation,
                klass,
                # Adapted as the ORM would (SQLite, the embedded default, stores naive UTC text).
                connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(hour, tz=UTC)),
                count,
            )
        )
    return rows


def _upsert(rows) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            values = ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s,%s)"] * len(batch))
            cursor.execute(_UPSERT.format(values=values), [v for row in batch for v in row])


def _claim(flush_key: str, fields: int, calls: int) -> bool:
    """Insert the UsageFlush row; False when this flush key was counted already."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO apikeys_usageflush (flush_key, flushed_at, fields, calls) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (flush_key) DO NOTHING RETURNING id",
            [flush_key, connection.ops.adapt_datetimefield_value(timezone.now()), fields, calls],
        )
        return cursor.fetchone() is not None


def _fold(flush_key: str, data: Mapping, result: FlushResult, hook) -> None:
    """Fold one batch of counters: its UsageFlush row and the upserts in ONE transaction."""
    rows = _rows(data)
    calls = sum(row[-1] for row in rows)
    with transaction.atomic():
        claimed = _claim(flush_key, len(rows), calls)
        if claimed:
            _upsert(rows)
        if hook:
            hook("before_commit")
    if hook:
        hook("after_commit")
    if claimed:
        result.flush_keys += 1
        result.fields += len(rows)
        result.calls += calls
    else:
        result.skipped += 1


def flush_usage(*, hook=None) -> FlushResult:
    """Fold the counters into UsageRecord. `hook(stage)` is a seam for the crash tests
    ("before_commit" inside the transaction, "after_commit" before the batch is dropped)."""
    result = FlushResult()
    backend().flush_usage(lambda flush_key, data: _fold(flush_key, data, result, hook))
    return result


_in_process_flush = threading.Lock()
_next_in_process_flush = 0.0


def flush_in_process_if_due(now: float | None = None) -> FlushResult | None:
    """Without Redis: fold this process's counters (usage, last use) once USAGE_FLUSH_SECONDS have
    passed since the last time, on the request that notices (one thread; the others go on)."""
    global _next_in_process_flush
    now = time.time() if now is None else now
    if now < _next_in_process_flush or not _in_process_flush.acquire(blocking=False):
        return None
    try:
        if now < _next_in_process_flush:
            return None
        _next_in_process_flush = now + settings.USAGE_FLUSH_SECONDS
        try:
            result = flush_usage()
            fold_last_used()
        except Exception:
            console_metrics.USAGE_FLUSHES.labels("failure").inc()
            log.exception("In-process usage flush failed; its counters stay for the next one")
            return None
        console_metrics.USAGE_FLUSHES.labels("success").inc()
        console_metrics.USAGE_FLUSH_ROWS.inc(result.fields)
        console_metrics.USAGE_FLUSH_CALLS.inc(result.calls)
        console_metrics.USAGE_FLUSH_LAST_SUCCESS.set(time.time())
        if result.calls:
            log.info("Usage flushed in process: %s", result, extra={"event": "usage.flushed_in_process"})
        return result
    finally:
        _in_process_flush.release()


# --- last_used_at -------------------------------------------------------------------------------


last_used_key = store.last_used_key


def _update_last_used(data: Mapping[int, int]) -> int:
    if connection.vendor != "postgresql":  # SQLite, the embedded default: one UPDATE a key
        updated = 0
        with transaction.atomic(), connection.cursor() as cursor:
            for key_id, seconds in data.items():
                at = connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(seconds, tz=UTC))
                cursor.execute(
                    "UPDATE apikeys_apikey SET last_used_at = %s WHERE id = %s "
                    "AND (last_used_at IS NULL OR last_used_at < %s)",
                    [at, key_id, at],
                )
                updated += cursor.rowcount
        return updated
    values = ",".join(["(%s, to_timestamp(%s))"] * len(data))
    params = [x for item in data.items() for x in item]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE apikeys_apikey AS k SET last_used_at = v.at FROM (VALUES {values}) AS v(id, at) "  # noqa: S608
            "WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)",
            params,
        )
        return cursor.rowcount


def fold_last_used() -> int:
    """Move the keys' last-use times (recorded with each verified call, one HSET on Redis) into
    ApiKey.last_used_at. Idempotent (only ever moves the time forward), so the same
    rename-then-delete suffices without a ledger."""
    return backend().flush_last_used(_update_last_used)
