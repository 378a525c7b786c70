"""Moving key digests to the current pepper (settings.APIKEY_PEPPERS), one key at a time, on use.

An HMAC can't be recomputed under a new pepper without the key, and only its holder has the key: so
the digest of a key stored under an older pepper is rewritten the next time the key is presented
(apikeys/requestpath/verification.py calls `settle` when the current pepper's digest did not
match, which is never on the warm path of a good key). `manage.py apikey_peppers` counts the keys
still to move.

No audit event: the rewrite changes nothing a tenant can see or act on (the same key, the same
rights); the structured log line and console_apikey_pepper_rewrites_total say it happened.
"""

import logging

from django.db import transaction

from apikeys import keys
from apikeys.models import ApiKey
from apikeys.requestpath import cache
from config.metrics import APIKEY_PEPPER_REWRITES
from config.middleware import current_request_id

log = logging.getLogger(__name__)


def settle(lookup_id: str, raw: str) -> int | None:
    """The pepper version to verify the key `raw` under, when the current pepper's digest did not
    match: None if its row matches under no other configured pepper (a wrong key, an unknown one).

    A row under an older (lower) version is first rewritten under the current one and its cache
    entry dropped; the current version is answered. A row under a newer version (written by a task
    that already runs with a higher APIKEY_PEPPER_CURRENT, during a deploy that raises it) is left as
    it is and its version answered: moving it back down would make the two kinds of task rewrite the
    same key back and forth until the deploy ends."""
    keys_of_every_tenant = ApiKey.objects.across_tenants()  # the request path: the key names its tenant
    row = keys_of_every_tenant.filter(lookup_id=lookup_id).values("pk", "digest", "pepper_version").first()
    current = keys.current_pepper_version()
    if row is None or row["pepper_version"] == current:
        return None
    version = row["pepper_version"]
    if not keys.digest_matches(raw, row["digest"], version):
        return None
    if version > current:
        return version
    # Conditional on the digest read: of two concurrent requests, one writes, both go on.
    moved = keys_of_every_tenant.filter(pk=row["pk"], digest=row["digest"], pepper_version=version).update(
        digest=keys.digest(raw), pepper_version=current
    )
    # The cached entry holds the old digest. Dropped now, so the caller's second look reads the row
    # again, and again at commit when called inside a transaction (others see the row only then).
    cache.invalidate([lookup_id])
    if transaction.get_connection().in_atomic_block:
        cache.invalidate_on_commit([lookup_id])
    if moved:
        APIKEY_PEPPER_REWRITES.inc()
        log.info(
            "API key %s moved from pepper version %s to %s",
            lookup_id,
            version,
            current,
            extra={
                "event": "apikey.repeppered",
                "from_version": version,
                "to_version": current,
                "request_id": current_request_id(),
            },
        )
    return current
