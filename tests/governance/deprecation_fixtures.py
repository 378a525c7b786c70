"""Fixtures of the deprecation tests (imported by tests/governance/conftest.py): a deprecated
payments v1 with successor v2 and a schedule at fixed instants, the console's own API, traffic."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apikeys.models import UsageRecord
from governance import enforcement
from governance.models import Api, ApiVersion, DeprecationSchedule, LifecycleState
from governance.services import deprecations
from tenants.principal import Principal

SYSTEM = Principal.system()
# The schedule's instants: announced a month before T0, deprecated at T0, sunset 200 days later.
T0 = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)
ANNOUNCED = T0 - timedelta(days=30)
SUNSET = T0 + timedelta(days=200)
BROWNOUT_START = T0 + timedelta(days=10)
BROWNOUT_END = BROWNOUT_START + timedelta(hours=2)
GUIDE = "https://docs.example.test/payments/v2"


@pytest.fixture(autouse=True)
def fresh_lifecycle_table():
    """The table is cached per process and per database; start and end every test without it."""
    enforcement.invalidate()
    yield
    enforcement.invalidate()


def schedule_for(version, successor, *, brownout=True, guide=GUIDE):
    with transaction.atomic():
        schedule = deprecations.create_schedule(
            actor=SYSTEM,
            version=version,
            announced_at=ANNOUNCED,
            deprecated_at=T0,
            sunset_at=SUNSET,
            successor=successor,
            migration_guide_url=guide,
        )
        if brownout:
            deprecations.add_brownout(actor=SYSTEM, schedule=schedule, starts_at=BROWNOUT_START, ends_at=BROWNOUT_END)
    return schedule


@pytest.fixture
def payments_v2(payments):
    return ApiVersion.objects.create(api=payments, version="v2", base_path="/payments/v2", state=LifecycleState.ACTIVE)


@pytest.fixture
def payments_v1(payments):
    return ApiVersion.objects.create(
        api=payments, version="v1", base_path="/payments/v1", state=LifecycleState.DEPRECATED
    )


@pytest.fixture
def schedule(payments_v1, payments_v2):
    return schedule_for(payments_v1, payments_v2)


@pytest.fixture
def console_api(db):
    """The console's own API in the catalog, v1 at /api/v1 deprecated (v2 its successor)."""
    api = Api.objects.create(slug="console", name="Governance console")
    v2 = ApiVersion.objects.create(api=api, version="v2", base_path="/api/v2", state=LifecycleState.ACTIVE)
    v1 = ApiVersion.objects.create(api=api, version="v1", base_path="/api/v1", state=LifecycleState.DEPRECATED)
    return schedule_for(v1, v2, guide="https://docs.example.test/console/v2")


def payments_v1_announced_yesterday():
    """Payments v1, deprecated and announced a day ago (sunset in 200 days, v2 its successor), in
    real time: for the tests where a real worker's beat task decides what is due."""
    now = timezone.now()
    api = Api.objects.create(slug="payments", name="Payments")
    v2 = ApiVersion.objects.create(api=api, version="v2", base_path="/payments/v2", state=LifecycleState.ACTIVE)
    v1 = ApiVersion.objects.create(api=api, version="v1", base_path="/payments/v1", state=LifecycleState.DEPRECATED)
    DeprecationSchedule.objects.create(
        version=v1,
        announced_at=now - timedelta(days=1),
        deprecated_at=now - timedelta(days=1),
        sunset_at=now + timedelta(days=200),
        successor=v2,
    )
    return v1


def add_traffic(tenant, version, *, at, calls=10, operation="GET /charges"):
    """`calls` calls of `tenant` to `version` in the hour of `at`."""
    return UsageRecord.objects.create(
        tenant=tenant,
        credential="test",
        api=version.api.slug,
        version=version.version,
        operation=operation,
        status_class="2xx",
        hour=at.replace(minute=0, second=0, microsecond=0),
        count=calls,
    )
