"""Demo data of the catalog and reviews, for `manage.py seed_demo` (tenants/management/commands).

Everything goes through the services, as staff would do it: create the version, submit its spec,
analyse, approve, merge, then move it through the lifecycle. Each step creates only what is missing.

- payments: v1 deprecated (successor v2, a schedule with 190 days of notice), v2 active with an open
  review whose proposal breaks four things (analysed; tenants' traffic to the broken operations
  seeded so the review page names them), v3 draft;
- catalog: v1 active, v2 preview, v3 draft;
- console: the console's own API, v1 at /api/v1, active with the schema drf-spectacular generates
  (enforcement of the console's own API relies on this row).
"""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from governance.models import Api, ApiVersion, DeprecationSchedule, LifecycleState, Review, SpecRevision
from governance.services import catalog as catalog_services
from governance.services import lifecycle
from governance.services import reviews as review_services
from tenants.principal import Principal

SPECS = Path(__file__).resolve().parents[1] / "demo_specs"
S = LifecycleState

DEMO_APIS = [
    # slug, name, visibility, description
    ("payments", "Payments", Api.Visibility.PUBLIC, "Charges, refunds and payment intents."),
    ("catalog", "Product catalog", Api.Visibility.PARTNER, "Products, prices and stock for partners."),
    (
        "console",
        "Governance console",
        Api.Visibility.PUBLIC,
        "This console's own API: tenants, members, OAuth clients, keys, usage, the catalog.",
    ),
]
# api slug, version label, base path, spec file (None: the console's generated schema; "" none), target state
DEMO_VERSIONS = [
    ("payments", "v1", "/payments/v1", "payments_v1.yaml", S.ACTIVE),
    ("payments", "v2", "/payments/v2", "payments_v2.yaml", S.ACTIVE),
    ("payments", "v3", "/payments/v3", "", S.DRAFT),
    ("catalog", "v1", "/catalog/v1", "catalog_v1.json", S.ACTIVE),
    ("catalog", "v2", "/catalog/v2", "catalog_v2.json", S.PREVIEW),
    ("catalog", "v3", "/catalog/v3", "", S.DRAFT),
    ("console", "v1", "/api/v1", None, S.ACTIVE),
]
OPEN_REVIEW = ("payments", "v2", "payments_v2_proposed.yaml")
# Traffic to the operations the open review breaks: tenant slug -> {operation: calls per day}
DEMO_TRAFFIC = {
    "acme": {"GET /charges/{id}": 120, "POST /charges": 40, "GET /charges": 300},
    "globex": {"GET /charges/{id}": 15, "POST /refunds": 4},
}

SYSTEM = Principal.system()


def console_schema() -> bytes:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    return OpenApiJsonRenderer().render(schema, renderer_context={})


def publish(version: ApiVersion, document: bytes) -> Review:
    """Submit, analyse, approve and merge: the path every published spec takes."""
    review = review_services.submit_spec(
        actor=SYSTEM, version=version, document=document, source=SpecRevision.Source.CLI
    )
    review_services.analyse_review(review_id=review.pk)
    review.refresh_from_db()
    if review.status != Review.Status.READY:
        raise RuntimeError(f"demo spec of {version} was refused: {review.error}")
    review_services.approve_review(actor=SYSTEM, review=review, comment="Demo data.")
    return review_services.merge_review(actor=SYSTEM, review=review)


def seed_catalog(seeding):
    for slug, name, visibility, description in DEMO_APIS:
        if Api.objects.filter(slug=slug).exists():
            seeding.kept(f"API {slug}")
            continue
        catalog_services.create_api(actor=SYSTEM, slug=slug, name=name, visibility=visibility, description=description)
        seeding.created(f"API {slug}")
    for slug, label, base_path, spec, target in DEMO_VERSIONS:
        api = Api.objects.get(slug=slug)
        version = ApiVersion.objects.filter(api=api, version=label).first()
        if version is not None:
            seeding.kept(f"version {slug} {label}")
            continue
        version = catalog_services.create_version(actor=SYSTEM, api=api, version=label, base_path=base_path)
        if spec is not None and spec != "":
            publish(version, (SPECS / spec).read_bytes())
        elif spec is None:
            publish(version, console_schema())
        if target in (S.PREVIEW, S.ACTIVE):
            lifecycle.to_preview(actor=SYSTEM, version=version)
        if target == S.ACTIVE:
            lifecycle.activate(actor=SYSTEM, version=version)
        seeding.created(f"version {slug} {label} ({target})")


def seed_deprecated_version(seeding):
    """payments v1: deprecated, successor v2, 190 days between deprecation and sunset."""
    version = ApiVersion.objects.get(api__slug="payments", version="v1")
    if version.state != S.ACTIVE:
        return seeding.kept(f"{version} ({version.state})")
    now = timezone.now()
    successor = ApiVersion.objects.get(api__slug="payments", version="v2")
    DeprecationSchedule.objects.get_or_create(
        version=version,
        defaults={
            "announced_at": now - timedelta(days=20),
            "deprecated_at": now - timedelta(days=10),
            "sunset_at": now + timedelta(days=180),
            "successor": successor,
            "migration_guide_url": "https://docs.example.test/payments/v2-migration",
        },
    )
    lifecycle.deprecate(actor=SYSTEM, version=version)
    seeding.created(f"{version} deprecated (successor {successor})")


def seed_open_review(seeding):
    slug, label, spec = OPEN_REVIEW
    version = ApiVersion.objects.get(api__slug=slug, version=label)
    if version.reviews.exclude(status=Review.Status.MERGED).exists():
        return seeding.kept(f"open review of {version}")
    review = review_services.submit_spec(
        actor=SYSTEM, version=version, document=(SPECS / spec).read_bytes(), source=SpecRevision.Source.API
    )
    review_services.analyse_review(review_id=review.pk)
    seeding.created(f"open review #{review.pk} of {version} (breaking changes)")


def seed_review_traffic(seeding):
    """Usage records of the demo tenants for the operations the open review would break."""
    from apikeys.models import UsageRecord
    from tenants.models import Tenant

    slug, label, _spec = OPEN_REVIEW
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for tenant_slug, operations in DEMO_TRAFFIC.items():
        tenant = Tenant.objects.filter(slug=tenant_slug).first()
        if tenant is None:
            continue
        demo_rows = UsageRecord.objects.filter(tenant=tenant, credential="demo", api=slug, version=label)
        if demo_rows.exists():
            seeding.kept(f"usage records of {tenant_slug} on {slug} {label}")
            continue
        made = 0
        for operation, per_day in operations.items():
            for day in range(1, 8):
                _row, created = UsageRecord.objects.get_or_create(
                    tenant=tenant,
                    credential="demo",
                    api=slug,
                    version=label,
                    operation=operation,
                    status_class="2xx",
                    hour=hour - timedelta(days=day),
                    defaults={"count": per_day},
                )
                made += created
        seeding.created(f"{made} usage records of {tenant_slug} on {slug} {label}")


SEED_STEPS = [seed_catalog, seed_deprecated_version, seed_open_review, seed_review_traffic]
