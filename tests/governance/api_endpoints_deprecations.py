"""The deprecations and webhooks endpoints, declared for the cross-tenant harness (tests/harness.py).

A deprecation "belongs" to a tenant through its traffic: `make` builds a partner API whose v1 is
deprecated and that only `tenant` has called, so another tenant neither lists nor reaches it."""

import itertools
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apikeys.models import UsageRecord
from governance import enforcement
from governance.models import Api, ApiVersion, DeprecationSchedule, LifecycleState, WebhookEndpoint
from governance.webhooks import signing
from tests.harness import Action, Endpoint, register

_numbers = itertools.count(1)


def make_deprecation(tenant) -> DeprecationSchedule:
    n = next(_numbers)
    now = timezone.now()
    with transaction.atomic():
        api = Api.objects.create(slug=f"harness-{n}", name=f"Harness {n}", visibility=Api.Visibility.PARTNER)
        v2 = ApiVersion.objects.create(api=api, version="v2", base_path=f"/harness-{n}/v2", state=LifecycleState.ACTIVE)
        v1 = ApiVersion.objects.create(
            api=api, version="v1", base_path=f"/harness-{n}/v1", state=LifecycleState.DEPRECATED
        )
        schedule = DeprecationSchedule.objects.create(
            version=v1,
            announced_at=now - timedelta(days=2),
            deprecated_at=now - timedelta(days=1),
            sunset_at=now + timedelta(days=200),
            successor=v2,
        )
        UsageRecord.objects.create(
            tenant=tenant,
            credential="harness",
            api=api.slug,
            version="v1",
            operation="GET /",
            status_class="2xx",
            hour=now.replace(minute=0, second=0, microsecond=0),
            count=3,
        )
    # The new versions invalidated the enforcement table; rebuild it now, as the next request would,
    # so the query-count test counts the list, not the one-off rebuild.
    enforcement.table()
    return schedule


register(
    Endpoint(
        name="deprecations",
        url="/api/v1/deprecations/",
        make=make_deprecation,
        actions=[
            *Action.reads("deprecations:read", "deprecations.view"),
            Action.custom("acknowledge", "deprecations:write", "deprecations.acknowledge"),
        ],
    )
)


def make_webhook(tenant) -> WebhookEndpoint:
    # Written directly (the service caps endpoints per tenant; the query-count test makes 50).
    return WebhookEndpoint.objects.create(
        tenant=tenant,
        url="https://93.184.215.14/hooks",
        secret_encrypted=signing.encrypt_secret(signing.generate_secret()),
    )


register(
    Endpoint(
        name="webhooks",
        url="/api/v1/webhooks/",
        make=make_webhook,
        actions=[
            *Action.reads("webhooks:read", "webhooks.view"),
            Action.create("webhooks:write", "webhooks.manage", payload={"url": "https://93.184.215.14/new"}),
            Action.update("webhooks:write", "webhooks.manage", payload={"description": "renamed"}),
            Action.destroy("webhooks:write", "webhooks.manage"),
            Action.custom("deliveries", "webhooks:read", "webhooks.view", method="get"),
            Action.custom("ping", "webhooks:write", "webhooks.manage", success=202),
            Action.custom("rotate_secret", "webhooks:write", "webhooks.manage"),
        ],
    )
)
