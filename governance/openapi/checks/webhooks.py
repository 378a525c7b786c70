"""OpenAPI 3.1 ``webhooks``: added and removed.

oasdiff: check_webhook_updated.go. Modified webhooks are merged into the paths as
``webhook:<name>`` (see diff/walk.py), so every path/operation check covers them too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import spec_check

if TYPE_CHECKING:
    from ..diff import SpecDiff

_PREFIX = "webhook:"


def _name(path: str) -> str:
    return path[len(_PREFIX) :] if path.startswith(_PREFIX) else path


@spec_check("WebhookUpdatedCheck")
def webhook_updated(spec_diff: SpecDiff) -> None:
    for item in spec_diff.webhooks_added:
        spec_diff.emit("webhook-added", _name(item.path), base_pointer=None, revision_pointer=item.location)
    for item in spec_diff.webhooks_removed:
        spec_diff.emit("webhook-removed", _name(item.path), base_pointer=item.location, revision_pointer=None)
