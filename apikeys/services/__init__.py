"""Every write of the apikeys app. Services are keyword-only, run in one transaction, check the
caller's rights and write one audit event; views, tasks and admin call these and nothing else."""

from apikeys.services.keys import (
    MAX_CIDRS,
    ROTATION_OVERLAPS,
    create_key,
    follow_creator_change,
    revoke_key,
    rotate_key,
    update_key,
)
from apikeys.services.leaks import MAX_LEAK_STRINGS, report_leaks

__all__ = [
    "MAX_CIDRS",
    "MAX_LEAK_STRINGS",
    "ROTATION_OVERLAPS",
    "create_key",
    "follow_creator_change",
    "report_leaks",
    "revoke_key",
    "rotate_key",
    "update_key",
]
