"""Demo data of deprecations, for `manage.py seed_demo` (after the catalog steps of catalog.py).

payments v1 (deprecated by the catalog steps, successor v2) gains a brownout window, both demo
tenants' traffic to v1 over the last 30 days (acme tapering off as it moves to v2, globex steady),
the milestone notices (sent by the same service the beat task runs) and so their migration ledger,
and acme's acknowledgement. Each step creates only what is missing. If the catalog steps are
missing, the schedule and versions are made here with get_or_create on the same slugs.
"""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from apikeys.models import UsageRecord
from governance.models import (
    Api,
    ApiVersion,
    BrownoutWindow,
    DeprecationSchedule,
    LifecycleState,
    MigrationLedgerEntry,
)
from governance.services import deprecations, notices
from tenants.models import Membership, Tenant
from tenants.principal import Principal
from tenants.roles import Role

SYSTEM = Principal.system()
# Calls per day to payments v1 over the last 30 days, oldest first.
DEMO_V1_TRAFFIC = {
    "acme": [400 - 13 * day for day in range(30)],
    "globex": [60] * 30,
}


def _schedule() -> DeprecationSchedule:
    schedule = DeprecationSchedule.objects.filter(version__api__slug="payments", version__version="v1").first()
    if schedule is not None:
        return schedule
    now = timezone.now()
    api, _ = Api.objects.get_or_create(slug="payments", defaults={"name": "Payments"})
    v2, _ = ApiVersion.objects.get_or_create(
        api=api, version="v2", defaults={"base_path": "/payments/v2", "state": LifecycleState.ACTIVE}
    )
    v1, _ = ApiVersion.objects.get_or_create(
        api=api, version="v1", defaults={"base_path": "/payments/v1", "state": LifecycleState.DEPRECATED}
    )
    return deprecations.create_schedule(
        actor=SYSTEM,
        version=v1,
        announced_at=now - timedelta(days=20),
        deprecated_at=now - timedelta(days=10),
        sunset_at=now + timedelta(days=180),
        successor=v2,
        migration_guide_url="https://docs.example.test/payments/v2-migration",
    )


def seed_brownout(seeding):
    schedule = _schedule()
    if BrownoutWindow.objects.filter(schedule=schedule).exists():
        return seeding.kept(f"brownout of {schedule.version}")
    start = (timezone.now() + timedelta(days=14)).replace(hour=14, minute=0, second=0, microsecond=0)
    deprecations.add_brownout(actor=SYSTEM, schedule=schedule, starts_at=start, ends_at=start + timedelta(hours=2))
    seeding.created(f"brownout of {schedule.version} on {start:%Y-%m-%d %H:%M} UTC")


def seed_old_version_traffic(seeding):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for slug, per_day in DEMO_V1_TRAFFIC.items():
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            continue
        if UsageRecord.objects.filter(tenant=tenant, credential="demo", api="payments", version="v1").exists():
            seeding.kept(f"usage records of {slug} on payments v1")
            continue
        UsageRecord.objects.bulk_create(
            [
                UsageRecord(
                    tenant=tenant,
                    credential="demo",
                    api="payments",
                    version="v1",
                    operation="GET /charges/{id}",
                    status_class="2xx",
                    hour=hour - timedelta(days=30 - index),
                    count=calls,
                )
                for index, calls in enumerate(per_day)
                if calls > 0
            ]
        )
        seeding.created(f"30 days of usage records of {slug} on payments v1")


def seed_notices(seeding):
    schedule = _schedule()
    if MigrationLedgerEntry.objects.across_tenants().filter(schedule=schedule).exists():
        return seeding.kept(f"notices and migration ledger of {schedule.version}")
    # The demo members' addresses are made up: keep the e-mails in memory rather than print them.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        result = notices.run()
    seeding.created(f"{result.sent} deprecation notices of {schedule.version} (migration ledger)")
    acme = Tenant.objects.filter(slug="acme").first()
    owner = Membership.objects.filter(tenant=acme, role=Role.OWNER).select_related("user").first()
    if owner is not None:
        deprecations.acknowledge(actor=Principal.for_member(owner.user, acme, owner.role), schedule=schedule)
        seeding.created(f"acme's acknowledgement of the deprecation of {schedule.version}")


SEED_STEPS = [seed_brownout, seed_old_version_traffic, seed_notices]
