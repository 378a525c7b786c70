from governance.models.catalog import Api, ApiVersion, LifecycleState, SpecRevision
from governance.models.deprecations import (
    BrownoutWindow,
    DeprecationExemption,
    DeprecationNotice,
    DeprecationSchedule,
    MigrationLedgerEntry,
)
from governance.models.reviews import ChangeGroup, Finding, Review, Waiver
from governance.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Api",
    "ApiVersion",
    "BrownoutWindow",
    "ChangeGroup",
    "DeprecationExemption",
    "DeprecationNotice",
    "DeprecationSchedule",
    "Finding",
    "LifecycleState",
    "MigrationLedgerEntry",
    "Review",
    "SpecRevision",
    "Waiver",
    "WebhookDelivery",
    "WebhookEndpoint",
]
