"""Runtime enforcement of version lifecycle: the pure decision, and the cached table it reads.

`decide(lifecycle, tenant_id=..., now=...)` answers, for one version, one caller's tenant and one
instant, which headers the response wears and whether the call is gone (410). The middleware
(governance/middleware.py) applies it to every API the console serves (its own /api/v1 included) and
the gateway verify endpoint returns the same facts for an {api, version}, so both always agree.

When a schedule applies: the version's state is the switch. A schedule on a draft, preview or active
version is a plan (the "deprecate" transition checks its policy); once the version is deprecated the
dates drive everything, and un-deprecating it (back to active) stops them again.

    state deprecated            Sunset: <HTTP-date>          (RFC 8594)
                                Link: <guide>; rel="deprecation"; type="text/html"
                                Link: <successor base>; rel="successor-version"
    ... and now ≥ deprecated_at Deprecation: @<unix time>    (RFC 9745)
    ... and in a brownout       410 Gone until the window ends
    ... and now ≥ sunset_at     410 Gone
    state sunset / retired      410 Gone (with the headers above)

An active exemption of the caller's tenant (until its expires_at) turns a 410 back into a normal
answer; the headers stay.

The table (one VersionLifecycle per version, with its schedule if any) is cached in
the Django cache and memoised per process for LOCAL_SECONDS; changes to versions, schedules,
brownouts and exemptions invalidate both (signals below, immediately and again after commit).
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from governance.models import LifecycleState

S = LifecycleState
ENFORCED_STATES = frozenset({S.DEPRECATED, S.SUNSET, S.RETIRED})
GONE_STATES = frozenset({S.SUNSET, S.RETIRED})
CACHE_SECONDS = 300
LOCAL_SECONDS = 2.0


@dataclass(frozen=True)
class VersionLifecycle:
    api: str
    version: str
    base_path: str
    state: str
    schedule_id: int | None = None
    announced_at: datetime | None = None
    deprecated_at: datetime | None = None
    sunset_at: datetime | None = None
    successor: str | None = None  # the successor's version label
    successor_base_path: str | None = None
    guide: str = ""
    brownouts: tuple[tuple[datetime, datetime], ...] = ()
    exemptions: tuple[tuple[int, datetime], ...] = ()  # (tenant id, expires_at)

    def matches(self, path: str) -> bool:
        base = self.base_path.rstrip("/")
        return path == base or path.startswith(base + "/")

    def has_active_exemption(self, now: datetime) -> bool:
        return any(expires_at > now for _, expires_at in self.exemptions)

    def exempt_until(self, tenant_id: int | None, now: datetime) -> datetime | None:
        if tenant_id is None:
            return None
        ends = [expires for tenant, expires in self.exemptions if tenant == tenant_id and expires > now]
        return max(ends) if ends else None


@dataclass(frozen=True)
class Verdict:
    lifecycle: VersionLifecycle
    now: datetime
    deprecated: bool = False
    brownout_until: datetime | None = None
    past_sunset: bool = False
    gone_for_all: bool = False  # gone unless the caller is exempt
    exempt_until: datetime | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def gone(self) -> bool:
        return self.gone_for_all and self.exempt_until is None

    @property
    def reason(self) -> str:
        if not self.gone_for_all:
            return ""
        return "brownout" if self.brownout_until and not self.past_sunset else "sunset"

    def detail(self) -> str:
        lc = self.lifecycle
        name = f"{lc.api} {lc.version}"
        if self.reason == "brownout":
            why = f"{name} is deprecated and in a scheduled brownout until {self.brownout_until:%Y-%m-%d %H:%M} UTC"
        elif lc.sunset_at is not None:
            why = f"{name} was sunset on {lc.sunset_at:%Y-%m-%d %H:%M} UTC"
        else:
            why = f"{name} is {lc.state}"
        where = []
        if lc.successor:
            where.append(f"move to {lc.api} {lc.successor} ({lc.successor_base_path})")
        if lc.guide:
            where.append(f"see the migration guide: {lc.guide}")
        return why + (": " + "; ".join(where) if where else "") + "."

    def problem_extra(self) -> dict:
        lc = self.lifecycle
        return {
            "api": lc.api,
            "version": lc.version,
            "reason": self.reason,
            "brownout_until": _iso(self.brownout_until) if self.reason == "brownout" else None,
            "sunset_at": _iso(lc.sunset_at),
            "successor": lc.successor,
            "successor_base_path": lc.successor_base_path,
            "migration_guide_url": lc.guide or None,
        }

    def facts(self) -> dict:
        """The gateway verify endpoint's `lifecycle` object."""
        lc = self.lifecycle
        return {
            "state": lc.state,
            "deprecated": self.deprecated,
            "deprecated_at": _iso(lc.deprecated_at),
            "sunset": _iso(lc.sunset_at),
            "successor": lc.successor,
            "successor_base_path": lc.successor_base_path,
            "guide": lc.guide or None,
            "brownout_active": self.brownout_until is not None,
            "brownout_until": _iso(self.brownout_until),
            "gone": self.gone,
            "exempt_until": _iso(self.exempt_until),
            "headers": [[name, value] for name, value in self.headers],
        }


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value is not None else None


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)


def decide(lifecycle: VersionLifecycle, *, tenant_id: int | None = None, now: datetime | None = None) -> Verdict:
    """What this version means for a call by `tenant_id` at `now`. Pure: reads only its arguments."""
    now = now or timezone.now()
    lc = lifecycle
    if lc.state not in ENFORCED_STATES:
        return Verdict(lc, now)
    headers = []
    deprecated = lc.deprecated_at is not None and now >= lc.deprecated_at
    if lc.deprecated_at is not None and deprecated:
        headers.append(("Deprecation", f"@{int(lc.deprecated_at.timestamp())}"))
    if lc.sunset_at is not None:
        headers.append(("Sunset", http_date(lc.sunset_at)))
    if lc.guide:
        headers.append(("Link", f'<{lc.guide}>; rel="deprecation"; type="text/html"'))
    if lc.successor_base_path:
        headers.append(("Link", f'<{lc.successor_base_path}>; rel="successor-version"'))
    past_sunset = lc.state in GONE_STATES or (lc.sunset_at is not None and now >= lc.sunset_at)
    brownout_until = next((end for start, end in lc.brownouts if start <= now < end), None)
    gone_for_all = past_sunset or brownout_until is not None
    return Verdict(
        lc,
        now,
        deprecated=deprecated or lc.state in GONE_STATES,
        brownout_until=brownout_until,
        past_sunset=past_sunset,
        gone_for_all=gone_for_all,
        exempt_until=lc.exempt_until(tenant_id, now) if gone_for_all else None,
        headers=headers,
    )


# --- the table -----------------------------------------------------------------------------------


def _cache_key() -> str:
    # One cache may serve several installations (or test databases): the table is per database.
    return f"governance:lifecycle:{settings.DATABASES['default']['NAME']}"


_local: dict = {"until": 0.0, "table": None}


def load_table() -> tuple[VersionLifecycle, ...]:
    from django.db.models import Prefetch

    from governance.models import ApiVersion, DeprecationExemption, DeprecationSchedule

    # Every version (a few hundred rows at most): the gateway asks for any {api, version}, and
    # every tenant's exemptions with them (the table serves all tenants).
    versions = (
        ApiVersion.objects.all()
        .select_related("api", "deprecation__successor")
        .prefetch_related(
            "deprecation__brownouts",
            Prefetch("deprecation__exemptions", queryset=DeprecationExemption.objects.across_tenants()),
        )
    )
    rows = []
    for version in versions:
        try:
            schedule = version.deprecation
        except DeprecationSchedule.DoesNotExist:
            rows.append(
                VersionLifecycle(
                    api=version.api.slug, version=version.version, base_path=version.base_path, state=version.state
                )
            )
            continue
        successor = schedule.successor
        rows.append(
            VersionLifecycle(
                api=version.api.slug,
                version=version.version,
                base_path=version.base_path,
                state=version.state,
                schedule_id=schedule.pk,
                announced_at=schedule.announced_at,
                deprecated_at=schedule.deprecated_at,
                sunset_at=schedule.sunset_at,
                successor=successor.version if successor else None,
                successor_base_path=successor.base_path if successor else None,
                guide=schedule.migration_guide_url,
                brownouts=tuple((w.starts_at, w.ends_at) for w in schedule.brownouts.all()),
                exemptions=tuple((e.tenant_id, e.expires_at) for e in schedule.exemptions.all()),
            )
        )
    # Longest base path first: /api/v1/payments wins over /api/v1.
    rows.sort(key=lambda r: -len(r.base_path.rstrip("/")))
    return tuple(rows)


def table() -> tuple[VersionLifecycle, ...]:
    clock = time.monotonic()
    if _local["table"] is not None and clock < _local["until"]:
        return _local["table"]
    rows = cache.get(_cache_key())
    if rows is None:
        rows = load_table()
        cache.set(_cache_key(), rows, CACHE_SECONDS)
    _local.update(table=rows, until=clock + LOCAL_SECONDS)
    return rows


def invalidate() -> None:
    _local.update(table=None, until=0.0)
    cache.delete(_cache_key())


def invalidate_now_and_on_commit(**_kwargs) -> None:
    """Drop the table now (this process sees the change at once) and again after commit (so a
    request that re-read the old rows meanwhile doesn't keep them)."""
    invalidate()
    transaction.on_commit(invalidate)


def match(path: str) -> VersionLifecycle | None:
    if not path.startswith("/"):
        return None
    return next((row for row in table() if row.matches(path)), None)


def for_api_version(api: str, version: str) -> VersionLifecycle | None:
    return next((row for row in table() if row.api == api and row.version == version), None)


def connect_signals() -> None:
    """Called from GovernanceConfig.ready(): every change that alters the table invalidates it."""
    from django.db.models.signals import post_delete, post_save

    from governance.models import (
        Api,
        ApiVersion,
        BrownoutWindow,
        DeprecationExemption,
        DeprecationSchedule,
    )

    for model in (Api, ApiVersion, DeprecationSchedule, BrownoutWindow, DeprecationExemption):
        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_now_and_on_commit, sender=model, dispatch_uid=f"lifecycle-{model.__name__}-{signal}"
            )


def facts_for(api: str, version: str, *, tenant_id: int | None = None, now: datetime | None = None) -> dict | None:
    """The gateway's answer for {api, version}: None when the pair names no version in the catalog."""
    if not api or not version:
        return None
    lifecycle = for_api_version(api, version)
    if lifecycle is None:
        return None
    return decide(lifecycle, tenant_id=tenant_id, now=now).facts()
