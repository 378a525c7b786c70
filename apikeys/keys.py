"""The API key format, made for secret scanning, and its storage digest.

    gvk_live_4fT9qL2mZx8A_Vq3...22 chars of secret...Kp0c9Z
    └prefix─┘└lookup id─┘ └──────── secret ────────┘└crc─┘

- The prefix names the environment, so a scanner (and a person) knows what leaked.
- The lookup id (12 base62 characters, ~71 bits) is public: it finds the row, appears in logs,
  the portal and the admin.
- The secret is 22 base62 characters (~131 bits) from `secrets`.
- The last 6 characters are the base62 CRC32 of everything before them: a scanner rejects a random
  string that merely looks like a key without asking us (GitHub's token format does the same).

Only the lookup id and HMAC-SHA256(pepper, key) are stored, with the version of the pepper. The
peppers live in the environment (settings.APIKEY_PEPPERS), not in the database, so a leaked database
dump can't be used to test guesses offline. They are versioned so the pepper can rotate: new digests
use the current version, and a digest under an older one still verifies until it is rewritten under
the current one (apikeys/services/peppers.py), which needs the key itself, so it happens on use.
"""

import hmac
import re
import secrets
import zlib
from dataclasses import dataclass

from django.conf import settings

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PREFIX = "gvk_"
ENVIRONMENTS = ("live", "test")
LOOKUP_ID_LENGTH = 12
SECRET_LENGTH = 22  # 62**22 > 2**130
CHECKSUM_LENGTH = 6  # 62**6 > 2**32

KEY_PATTERN = re.compile(
    r"\bgvk_(?P<env>live|test)_(?P<lookup>[0-9A-Za-z]{12})_(?P<secret>[0-9A-Za-z]{22})(?P<crc>[0-9A-Za-z]{6})\b"
)
KEY_LENGTH = len("gvk_live_") + LOOKUP_ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH


def _random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    return base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def new_lookup_id() -> str:
    return _random_base62(LOOKUP_ID_LENGTH)


def generate(environment: str = "live", lookup_id: str | None = None) -> tuple[str, str]:
    """A fresh key: returns (plain key, lookup id)."""
    if environment not in ENVIRONMENTS:
        raise ValueError(f"Unknown key environment {environment!r}")
    lookup_id = lookup_id or new_lookup_id()
    body = f"{PREFIX}{environment}_{lookup_id}_{_random_base62(SECRET_LENGTH)}"
    return body + checksum(body), lookup_id


@dataclass(frozen=True)
class ParsedKey:
    raw: str
    environment: str
    lookup_id: str


def parse(raw: str) -> ParsedKey | None:
    """The parts of a well-formed key whose checksum matches; None for anything else. Offline: no
    database, no Redis."""
    if not raw or len(raw) != KEY_LENGTH:
        return None
    match = KEY_PATTERN.fullmatch(raw)
    if match is None or not hmac.compare_digest(checksum(raw[:-CHECKSUM_LENGTH]), match["crc"]):
        return None
    return ParsedKey(raw=raw, environment=match["env"], lookup_id=match["lookup"])


def find_candidates(text: str) -> list[ParsedKey]:
    """Every well-formed key in a blob of text (a leak report, a pasted file)."""
    found = []
    for match in KEY_PATTERN.finditer(text or ""):
        parsed = parse(match.group(0))
        if parsed is not None:
            found.append(parsed)
    return found


def current_pepper_version() -> int:
    """The version new digests are made under (settings.APIKEY_PEPPER_CURRENT)."""
    return settings.APIKEY_PEPPER_CURRENT


def several_peppers() -> bool:
    """Is a pepper rotation under way: may a stored digest be under another pepper than the current one?"""
    return len(settings.APIKEY_PEPPERS) > 1


def _hmac(pepper: str, raw: str) -> str:
    return hmac.digest(pepper.encode(), raw.encode(), "sha256").hex()  # one-shot: no HMAC object


def digest(raw: str, version: int | None = None) -> str:
    """HMAC-SHA256 of the whole key under the current pepper (or pepper `version`), hex."""
    return _hmac(settings.APIKEY_PEPPERS[settings.APIKEY_PEPPER_CURRENT if version is None else version], raw)


def digest_matches(raw: str, stored_digest: str, pepper_version: int | None = None) -> bool:
    """Is `stored_digest` the digest of `raw` under pepper `pepper_version` (a version no longer
    configured matches nothing)? Without a version, under any configured pepper: a match under any
    of them proves knowledge of the key (a leak report needs no more)."""
    if not stored_digest:
        return False
    peppers = settings.APIKEY_PEPPERS
    if pepper_version is not None:
        return pepper_version in peppers and hmac.compare_digest(_hmac(peppers[pepper_version], raw), stored_digest)
    # Every pepper is tried (no early exit), so the time taken says nothing of which one matched.
    matches = [hmac.compare_digest(_hmac(pepper, raw), stored_digest) for pepper in peppers.values()]
    return any(matches)


def display_prefix(environment: str, lookup_id: str) -> str:
    """What the portal shows for a key: enough to recognise it, nothing secret."""
    return f"{PREFIX}{environment}_{lookup_id}_…"
