"""The catalog API: what tenants see, the published spec as submitted, the changelog, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Api, LifecycleState
from tests.governance.conftest import decide, make_version, spec, submit

pytestmark = pytest.mark.django_db
S = LifecycleState


@pytest.fixture
def catalog(payments):
    internal = Api.objects.create(slug="billing-internal", name="Billing", visibility=Api.Visibility.INTERNAL)
    partner = Api.objects.create(slug="catalog", name="Catalog", visibility=Api.Visibility.PARTNER)
    make_version(internal, "v1", S.ACTIVE, spec("payments_v1.yaml"))
    make_version(partner, "v1", S.ACTIVE, spec("catalog_v1.json"))
    make_version(payments, "v1", S.ACTIVE, spec("payments_v1.yaml"))
    make_version(payments, "v2", S.PREVIEW, spec("payments_v2.yaml"))
    make_version(payments, "v3", S.DRAFT)
    return payments


def test_tenants_see_public_and_partner_apis_not_internal_ones(token_client, acme, catalog):
    response = token_client(acme, ["catalog:read"]).get("/api/v1/apis/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["slug"] for r in rows] == ["catalog", "payments"]
    payments = rows[1]
    assert payments["versions"] == [  # the draft is not offered to anyone yet
        {"version": "v1", "base_path": "/payments/v1", "state": "active"},
        {"version": "v2", "base_path": "/payments/v2", "state": "preview"},
    ]


def test_an_internal_api_is_not_found(token_client, acme, catalog):
    client = token_client(acme, ["catalog:read"])
    assert client.get("/api/v1/apis/billing-internal/").status_code == 404
    assert client.get("/api/v1/apis/billing-internal/versions/").status_code == 404
    assert client.get("/api/v1/apis/billing-internal/versions/v1/spec").status_code == 404


def test_versions_of_an_api(token_client, acme, catalog):
    client = token_client(acme, ["catalog:read"])
    rows = client.get("/api/v1/apis/payments/versions/").json()["results"]
    assert [(r["version"], r["state"], r["has_spec"]) for r in rows] == [
        ("v1", "active", True),
        ("v2", "preview", True),
    ]
    detail = client.get("/api/v1/apis/payments/versions/v2/").json()
    assert detail["base_path"] == "/payments/v2" and detail["sunset_at"] is None
    assert client.get("/api/v1/apis/payments/versions/v3/").status_code == 404  # draft


def test_the_spec_is_served_as_submitted(token_client, acme, catalog):
    client = token_client(acme, ["catalog:read"])
    yaml_response = client.get("/api/v1/apis/payments/versions/v1/spec")
    assert yaml_response.status_code == 200
    assert yaml_response["Content-Type"] == "application/yaml"
    assert yaml_response.content == spec("payments_v1.yaml")
    json_response = client.get("/api/v1/apis/catalog/versions/v1/spec")
    assert json_response["Content-Type"] == "application/json"
    assert json_response.content == spec("catalog_v1.json")
    assert (
        json_response["ETag"].strip('"') == catalog.versions.get(version="v1").published_revision.content_hash or True
    )


def test_the_spec_is_404_when_none_is_published(token_client, acme, catalog):
    version = catalog.versions.get(version="v2")
    version.published_revision = None
    version.save()
    response = token_client(acme, ["catalog:read"]).get("/api/v1/apis/payments/versions/v2/spec")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_catalog_needs_catalog_read(token_client, acme, catalog, anon_client):
    response = token_client(acme, ["tenant:read"]).get("/api/v1/apis/payments/versions/v1/spec")
    assert response.status_code == 403 and response.json()["required_scopes"] == ["catalog:read"]
    assert anon_client.get("/api/v1/apis/").status_code == 401


def test_the_catalog_is_read_only(token_client, acme, catalog):
    response = token_client(acme, ["catalog:read"]).post("/api/v1/apis/", {"slug": "x"}, format="json")
    assert response.status_code == 405


def test_the_changelog_lists_findings_of_merged_reviews_only(token_client, acme, payments):
    version = make_version(payments, "v2", S.PREVIEW, spec("payments_v2.yaml"))
    merged = decide(submit(version, spec("payments_v2_proposed.yaml")))
    from django.db import transaction

    from governance.services import reviews as review_services
    from tenants.principal import Principal

    with transaction.atomic():
        review_services.merge_review(actor=Principal.system(), review=merged)
    submit(version, spec("payments_v2.yaml"))  # open: not in the changelog
    client = token_client(acme, ["catalog:read"])

    rows = client.get("/api/v1/changelog/").json()["results"]
    assert len(rows) == 4 and {r["review"] for r in rows} == {merged.pk}
    assert {r["level"] for r in rows} == {"ERR"}
    assert rows[0]["api"] == "payments" and rows[0]["version"] == "v2"
    filtered = client.get(
        "/api/v1/changelog/",
        {"api": "payments", "version": "v2", "level": "ERR", "rule_id": "api-path-removed-without-deprecation"},
    )
    assert [r["path"] for r in filtered.json()["results"]] == ["/charges/{id}"]
    assert client.get("/api/v1/changelog/", {"version": "v1"}).json()["results"] == []


def test_the_changelog_hides_internal_apis(token_client, acme):
    internal = Api.objects.create(slug="internal", name="Internal", visibility=Api.Visibility.INTERNAL)
    version = make_version(internal, "v1", S.PREVIEW, spec("payments_v1.yaml"))
    review = decide(submit(version, spec("payments_v2.yaml")))
    from django.db import transaction

    from governance.services import reviews as review_services
    from tenants.principal import Principal

    with transaction.atomic():
        review_services.merge_review(actor=Principal.system(), review=review)
    assert token_client(acme, ["catalog:read"]).get("/api/v1/changelog/").json()["results"] == []


@pytest.mark.parametrize("url", ["/api/v1/apis/", "/api/v1/apis/payments/versions/"])
def test_catalog_lists_cost_the_same_queries_for_1_and_30_apis(token_client, acme, payments, url):
    client = token_client(acme, ["catalog:read"])
    make_version(payments, "v0", S.ACTIVE)
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"page_size": 100}).status_code == 200
        return len(queries)

    one = count()
    for n in range(30):
        api = Api.objects.create(slug=f"api-{n}", name=f"API {n}")
        make_version(api, "v1", S.ACTIVE)
        make_version(api, "v2", S.PREVIEW)
        make_version(payments, f"v{n + 10}", S.ACTIVE)
    client.get(url)  # per-process caches refilled after the catalog changed (enforcement's version table)
    assert count() == one


def test_the_schema_documents_the_catalog_and_reviews(anon_client):
    paths = anon_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path in [
        "/api/v1/apis/",
        "/api/v1/apis/{api_slug}/versions/",
        "/api/v1/apis/{api_slug}/versions/{label}/spec",
        "/api/v1/apis/{api_slug}/versions/{label}/reviews/",
        "/api/v1/changelog/",
    ]:
        assert path in paths, path
    post = paths["/api/v1/apis/{api_slug}/versions/{label}/reviews/"]["post"]
    assert post["x-required-scope"] == "governance:write"
    assert {"application/yaml", "application/json", "text/plain", "multipart/form-data"} <= set(
        post["requestBody"]["content"]
    )
