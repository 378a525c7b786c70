"""seed_demo's catalog and reviews: two APIs with versions in several states, a deprecated version
with its successor, the console's own API, one open review with breaking changes and traffic."""

import io

import pytest
from django.core.management import call_command

from governance.models import ApiVersion, Review

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_catalog_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())

    states = dict(((v.api.slug, v.version), v.state) for v in ApiVersion.objects.select_related("api"))
    assert states == {
        ("payments", "v1"): "deprecated",
        ("payments", "v2"): "active",
        ("payments", "v3"): "draft",
        ("catalog", "v1"): "active",
        ("catalog", "v2"): "preview",
        ("catalog", "v3"): "draft",
        ("console", "v1"): "active",
    }
    console = ApiVersion.objects.get(api__slug="console", version="v1")
    assert console.base_path == "/api/v1" and console.published_revision is not None
    assert ApiVersion.objects.get(api__slug="payments", version="v1").deprecation.successor.version == "v2"
    open_review = Review.objects.get(status=Review.Status.READY)
    assert open_review.version.version == "v2" and open_review.summary["ERR"] == 4

    from governance.services.reviews import affected_tenants

    findings = list(open_review.findings.all())
    affected = affected_tenants(open_review, findings)
    assert any(rows for rows in affected.values())

    before = (ApiVersion.objects.count(), Review.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (ApiVersion.objects.count(), Review.objects.count()) == before
