"""Sign-in abuse: lockouts after repeated failures, and throttles on the other guessable forms.

- Password sign-in (the portal's and the admin's, both through django.contrib.auth.authenticate)
  is watched by django-axes: its backend refuses a locked-out caller before any password is
  checked, its handler records every failure (AccessAttempt, AccessFailureLog). `SignInAbuseHandler`
  locks out on either count: SIGNIN_FAILURES_PER_ACCOUNT failures for one login (whichever
  address they come from) or SIGNIN_FAILURES_PER_ADDRESS failures from one address (whichever
  logins they name), until SIGNIN_COOLOFF_MINUTES have passed since the last failure. Unknown
  logins are counted exactly like known ones, so the lockout reveals no account.
- Password reset requests and failed invitation links are counted per client address in the cache
  (`AddressThrottle`); the reset form's answer never depends on the address typed.

Every refusal answers the same page (portal/locked_out.html, HTTP 429 with Retry-After), writes a
platform audit event and logs one structured line (with the request id). Staff unlock in the admin
(delete the Access attempts rows) or with `manage.py axes_reset[_username|_ip]`.
"""

import logging
import math
import time
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from config.middleware import current_request_id

log = logging.getLogger("tenants.signin_abuse")

LOCKED_OUT_TEMPLATE = "portal/locked_out.html"


def normalised_username(request, credentials) -> str | None:
    """The login a sign-in names, as axes counts it: trimmed and lower-cased, so `Alice@Acme.test`
    and `alice@acme.test ` share one counter. The portal's and the admin's forms both post it as
    `username`; a direct authenticate() call may name the model's field (`email`)."""
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get("username") or source.get("email")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def cool_off() -> timedelta:
    return timedelta(minutes=settings.SIGNIN_COOLOFF_MINUTES)


class SignInAbuseHandler(AxesDatabaseHandler):
    """axes' database handler with one limit per lockout parameter.

    axes compares a single number (the largest count among its parameters) with a single limit
    (AXES_FAILURE_LIMIT, the per-account one). Here the per-address count has a limit of its own:
    reaching it reports the per-account limit, so axes locks out on either."""

    def get_failures(self, request, credentials=None) -> int:
        per_account, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if per_address >= settings.SIGNIN_FAILURES_PER_ADDRESS:
            return max(per_account, settings.SIGNIN_FAILURES_PER_ACCOUNT)
        return per_account


def _retry_after_seconds(last_attempt) -> int:
    if last_attempt is None:
        return int(cool_off().total_seconds())
    remaining = (last_attempt + (get_cool_off() or cool_off()) - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


def _record(kind: str, request, *, username: str | None, retry_after: int) -> None:
    """One structured log line and one platform audit event per refusal."""
    ip = get_client_ip_address(request)
    log.warning(
        "sign-in abuse: refused %s from %s for %ss",
        kind,
        ip,
        retry_after,
        extra={"event": "signin_abuse.locked_out", "kind": kind, "client_ip": ip, "request_id": current_request_id()},
    )
    from tenants import audit  # the models are ready by the time a request is served

    changes = {"kind": kind, "retry_after_seconds": retry_after}
    if username:
        changes["login"] = username[:254]
    try:
        with transaction.atomic():
            audit.record(action="auth.locked_out", actor=None, changes=changes)
    except Exception:  # the refusal must not fail on its audit trail
        log.exception("sign-in abuse: could not write the audit event")


def locked_out_page(request, *, retry_after: int, status: int = 429):
    response = render(
        request,
        LOCKED_OUT_TEMPLATE,
        {"retry_after": retry_after, "retry_after_minutes": max(1, math.ceil(retry_after / 60))},
        status=status,
    )
    response["Retry-After"] = str(retry_after)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a sign-in refused because of a lockout."""
    username = get_client_username(request, credentials)
    ip = get_client_ip_address(request)
    since = timezone.now() - (get_cool_off(request) or cool_off())
    last = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .filter(Q(username=username) | Q(ip_address=ip) if username else Q(ip_address=ip))
        .aggregate(last=Max("attempt_time"))["last"]
    )
    retry_after = _retry_after_seconds(last)
    _record("sign-in", request, username=username, retry_after=retry_after)
    return locked_out_page(request, retry_after=retry_after, status=settings.AXES_HTTP_RESPONSE_CODE)


class AddressThrottle:
    """A fixed-window counter per client address in the cache (Redis in deployments): at most
    `limit` hits per window of `window_seconds`."""

    def __init__(self, scope: str, limit_setting: str):
        self.scope = scope
        self.limit_setting = limit_setting

    @property
    def limit(self) -> int:
        return getattr(settings, self.limit_setting)

    @property
    def window(self) -> int:
        return int(cool_off().total_seconds())

    def _key(self, request) -> tuple[str, int]:
        now = int(time.time())
        bucket = now // self.window
        retry_after = (bucket + 1) * self.window - now
        return f"{settings.SIGNIN_ABUSE_KEY_PREFIX}{self.scope}:{get_client_ip_address(request)}:{bucket}", max(
            1, retry_after
        )

    def blocked(self, request) -> int | None:
        """Seconds until the address may try again, or None if it may now."""
        key, retry_after = self._key(request)
        return retry_after if (cache.get(key) or 0) >= self.limit else None

    def hit(self, request) -> None:
        key, _ = self._key(request)
        if not cache.add(key, 1, timeout=self.window + 60):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=self.window + 60)

    def refuse(self, request, retry_after: int):
        _record(self.scope, request, username=None, retry_after=retry_after)
        return locked_out_page(request, retry_after=retry_after)


password_reset_throttle = AddressThrottle("password-reset", "PASSWORD_RESETS_PER_ADDRESS")
invitation_throttle = AddressThrottle("invitation", "INVITATION_FAILURES_PER_ADDRESS")
