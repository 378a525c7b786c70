"""x-stability-level and x-sunset parsing, shared by the pipeline and the lifecycle checks."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from .jsontypes import JSON, JSONObject

STABILITY_EXTENSION = "x-stability-level"
SUNSET_EXTENSION = "x-sunset"
_LEVELS = ("draft", "alpha", "beta", "stable")
_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class LifecycleError(ValueError):
    """An unparseable x-stability-level or x-sunset; ``str()`` is oasdiff's error text."""


def stability_of(node: JSON) -> str:
    """The x-stability-level of an object ("" when absent); raises LifecycleError when invalid."""
    value = node.get(STABILITY_EXTENSION) if isinstance(node, dict) else None
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LifecycleError("x-stability-level isn't a string nor valid json")
    if value not in _LEVELS:
        raise LifecycleError(f'value is not one of draft, alpha, beta or stable: "{value}"')
    return value


def safe_stability(node: JSON) -> str | None:
    try:
        return stability_of(node)
    except LifecycleError:
        return None


def has_sunset(node: JSON) -> TypeGuard[JSONObject]:
    return isinstance(node, dict) and SUNSET_EXTENSION in node


def sunset_date(value: object) -> dt.date:
    """oasdiff getSunsetDate: a civil date (YYYY-MM-DD) or an RFC 3339 date-time."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise LifecycleError("sunset value isn't a string nor valid json")
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _rfc3339_date(value)
    except ValueError:
        raise LifecycleError(f"sunset date doesn't conform with RFC3339: {value}") from None


def _rfc3339_date(value: str) -> dt.date:
    match = _RFC3339.match(value)
    if not match:
        raise ValueError(value)
    return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def today() -> dt.date:
    return dt.date.today()


def deprecation_details(node: JSON, sunset: dt.date | None = None) -> str:
    """oasdiff formatDeprecationDetails(WithSunset): "(sunset: X, stability: Y)" or ""."""
    parts: list[str] = []
    if sunset is not None:
        parts.append(f"sunset: {sunset.isoformat()}")
    stability = safe_stability(node)
    if stability:
        parts.append(f"stability: {stability}")
    return f"({', '.join(parts)})" if parts else ""
