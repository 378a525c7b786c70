"""JSON Schema format checks as ajv-formats (full mode) does them, for the schema function."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from jsonschema import FormatChecker

# ajv-formats' URI (RFC 3986) expression, verbatim
_URI = re.compile(
    r"^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$",
    re.I,
)
_NOT_URI_FRAGMENT = re.compile(r"/|:")
_URI_REFERENCE = re.compile(
    r"^(?:[a-z][a-z0-9+\-.]*:)?(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:[0-9a-f:.]+|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'\"()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})*)*)?(?:\?(?:[a-z0-9\-._~!$&'\"()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'\"()*+,;=:@/?]|%[0-9a-f]{2})*)?$",
    re.I,
)
_DATE = re.compile(r"^(\d\d\d\d)-(\d\d)-(\d\d)$")
_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)(\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?$", re.I)
_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
    re.I,
)
_HOSTNAME = re.compile(
    r"^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$", re.I
)
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)$")
_UUID = re.compile(r"^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.I)
_JSON_POINTER = re.compile(r"^(?:\/(?:[^~/]|~0|~1)*)*$")
_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _date(value: str) -> bool:
    m = _DATE.match(value)
    if not m:
        return False
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 and leap else _DAYS[month])


def _time(value: str, with_zone: bool = False) -> bool:
    m = _TIME.match(value)
    if not m:
        return False
    hour, minute, second, zone = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(5)
    ok = (hour <= 23 and minute <= 59 and second <= 59) or (hour == 23 and minute == 59 and second == 60)
    return ok and (not with_zone or bool(zone))


def _date_time(value: str) -> bool:
    parts = re.split(r"t|\s", value, flags=re.I)
    return len(parts) == 2 and _date(parts[0]) and _time(parts[1], True)


def _ipv6(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv6Address(value)
        return True
    except ValueError:
        return False


def _regex(value: str) -> bool:
    try:
        re.compile(value)
        return True
    except re.error:
        return False


def _byte(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
        return len(value) % 4 == 0
    except (binascii.Error, ValueError):
        return False


def _int(bits: int) -> Any:
    limit = 2 ** (bits - 1)

    def check(value: Any) -> bool:
        return (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or (float(value).is_integer() and -limit <= value < limit)
        )

    return check


def _strings(check: Any) -> Any:
    return lambda value: not isinstance(value, str) or bool(check(value))


def format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    string_formats: dict[str, Any] = {
        "uri": lambda v: bool(_NOT_URI_FRAGMENT.search(v)) and bool(_URI.match(v)),
        "uri-reference": lambda v: bool(_URI_REFERENCE.match(v)),
        "date": _date,
        "time": _time,
        "date-time": _date_time,
        "email": lambda v: bool(_EMAIL.match(v)),
        "hostname": lambda v: bool(_HOSTNAME.match(v)),
        "ipv4": lambda v: bool(_IPV4.match(v)),
        "ipv6": _ipv6,
        "uuid": lambda v: bool(_UUID.match(v)),
        "json-pointer": lambda v: bool(_JSON_POINTER.match(v)),
        "regex": _regex,
        "byte": _byte,
    }
    for name, check in string_formats.items():
        checker.checks(name)(_strings(check))
    checker.checks("int32")(_int(32))
    checker.checks("int64")(_int(64))
    return checker
