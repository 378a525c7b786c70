"""The catalog endpoints, declared for the cross-tenant harness (see tests/harness.py).

The catalog is shared: every tenant reads the same public and partner APIs, so these endpoints are
declared `shared` (the outsider sees the same rows, never a 404). Only the list actions are
declared: the catalog's detail URLs name an API by slug, not by id, and are tested in
test_catalog_api.py. Reviews are not declared: who may submit is decided by ownership of the API
(guardian), not by the tenant role table the harness checks.
"""

import itertools

from governance.models import Api, ApiVersion, Finding, LifecycleState, Review, SpecRevision
from tests.harness import Action, Endpoint, register

_n = itertools.count()


def make_api(tenant):
    n = next(_n)
    return Api.objects.create(slug=f"harness-api-{n}", name=f"Harness API {n}")


def make_version(tenant):
    api, _ = Api.objects.get_or_create(slug="harness-versions", defaults={"name": "Harness versions"})
    n = next(_n)
    return ApiVersion.objects.create(api=api, version=f"v{n}", base_path=f"/harness/v{n}", state=LifecycleState.ACTIVE)


def make_changelog_entry(tenant):
    version = make_version(tenant)
    revision = SpecRevision.objects.create(
        version=version, document="openapi: 3.0.0", content_hash="0" * 64, size=14, source=SpecRevision.Source.CLI
    )
    review = Review.objects.create(version=version, revision=revision, status=Review.Status.MERGED)
    return Finding.objects.create(
        review=review, rule_id="endpoint-added", level="INFO", operation="GET", path="/things", text="endpoint added"
    )


register(
    Endpoint(
        name="catalog-apis",
        url="/api/v1/apis/",
        make=make_api,
        shared=True,
        actions=[Action("list", "get", "catalog:read", "catalog.view", on_object=False)],
    )
)
register(
    Endpoint(
        name="catalog-versions",
        url="/api/v1/apis/harness-versions/versions/",
        make=make_version,
        shared=True,
        actions=[Action("list", "get", "catalog:read", "catalog.view", on_object=False)],
    )
)
register(
    Endpoint(
        name="changelog",
        url="/api/v1/changelog/",
        make=make_changelog_entry,
        shared=True,
        actions=[Action("list", "get", "catalog:read", "catalog.view", on_object=False)],
    )
)
