"""The load test's data and its metering check, through the console's own services. run.py runs
these inside `manage.py shell -c` against the load test's database (benchmarks.load.settings):

    prepare()  a staff member creates the tenant (tenants.services.create_tenant) and sets its rate
               budget (Tenant.rate_quota / rate_window, as the tenant admin page does, audited); the
               system issues an API key with tenant:read (apikeys.services.create_key: no creator,
               so it acts as a machine admin) and staff raise the key's own limit
               (apikeys.services.update_key, as the API-key admin page does). Prints one line
               "LOAD-PREPARED {json}" with the plain key, shown this once.
    metered()  folds the usage counters into PostgreSQL (apikeys.requestpath.metering.flush_usage, the
               beat task's work, safe next to a running flush) and prints "LOAD-METERED {json}": the
               calls counted for the tenant, by operation and status class.
"""

import json

RATE_QUOTA = 10**9  # requests per window: 50 users at any speed this machine reaches never see a 429
RATE_WINDOW = 60


def prepare() -> None:
    from django.db import transaction

    from apikeys import services as key_services
    from benchmarks.load.urls import LOAD_TENANT_SLUG
    from tenants import audit
    from tenants import services as tenant_services
    from tenants.models import Tenant, User
    from tenants.principal import Principal

    with transaction.atomic():
        staff = User.objects.create_user(email="load-staff@console.test", password=None, is_staff=True)
        tenant = tenant_services.create_tenant(
            actor=Principal.for_staff(staff), slug=LOAD_TENANT_SLUG, name="Load test", plan=Tenant.Plan.ENTERPRISE
        )
        tenant.rate_quota, tenant.rate_window = RATE_QUOTA, RATE_WINDOW
        tenant.full_clean()
        tenant.save(update_fields=["rate_quota", "rate_window", "updated_at"])
        audit.record(
            action="tenant.changed",
            actor=Principal.for_staff(staff, tenant),
            tenant=tenant,
            target=tenant,
            changes={"rate_quota": [None, RATE_QUOTA], "rate_window": [None, RATE_WINDOW]},
        )
    with transaction.atomic():
        api_key, raw = key_services.create_key(actor=Principal.system(tenant), name="load", scopes=["tenant:read"])
    api_key = key_services.update_key(
        actor=Principal.for_staff(staff, tenant), api_key=api_key, rate_quota=RATE_QUOTA, rate_window=RATE_WINDOW
    )
    print(
        "LOAD-PREPARED "
        + json.dumps(
            {
                "tenant": tenant.slug,
                "tenant_id": tenant.pk,
                "tenant_rate": f"{tenant.rate_quota}/{tenant.rate_window}",
                "key": raw,
                "key_lookup_id": api_key.lookup_id,
                "key_scopes": list(api_key.scopes),
                "key_rate": f"{api_key.rate_quota}/{api_key.rate_window}",
            }
        ),
        flush=True,
    )


def metered() -> None:
    from django.db.models import Sum

    from apikeys.models import UsageRecord
    from apikeys.requestpath import metering
    from benchmarks.load.urls import LOAD_TENANT_SLUG

    metering.flush_usage()
    rows = (
        UsageRecord.objects.filter(tenant__slug=LOAD_TENANT_SLUG)
        .values("credential", "operation", "status_class")
        .annotate(calls=Sum("count"))
        .order_by("operation", "status_class")
    )
    print("LOAD-METERED " + json.dumps([dict(row) for row in rows]), flush=True)
