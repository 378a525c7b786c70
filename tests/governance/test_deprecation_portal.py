"""The tenant portal: "Deprecations affecting you" with the timeline, the tenant's own calls per day,
successor, guide and the acknowledge button; the changelog per version; the webhooks page."""

from datetime import timedelta

import pytest
import time_machine

from governance.models import Finding, MigrationLedgerEntry, Review, SpecRevision, WebhookEndpoint
from tests.governance.deprecation_fixtures import GUIDE, T0, add_traffic

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def test_the_page_shows_the_timeline_calls_successor_and_guide(schedule, payments_v1, acme, owner, client):
    for day in range(1, 4):
        add_traffic(acme, payments_v1, at=T0 - timedelta(days=day), calls=100 * day)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        client.force_login(owner)
        response = client.get("/portal/deprecations/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Payments v1" in page and "/payments/v1" in page
    for label in ("Announced", "Deprecated", "Brownout", "Sunset"):
        assert f"<strong>{label}</strong>" in page
    assert "Mar 13, 2031 12:00" in page  # the brownout window
    assert "per day" in page and "<svg" in page and "): 600" in page  # 100 + 200 + 300 calls
    assert GUIDE in page and "payments v2" in page and "/payments/v2" in page
    assert "Acknowledge</button>" in page


def test_the_acknowledge_button_moves_the_ledger(schedule, payments_v1, acme, owner, client):
    add_traffic(acme, payments_v1, at=T0 - timedelta(days=1))
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        client.force_login(owner)
        response = client.post(f"/portal/deprecations/{schedule.pk}/acknowledge/", follow=True)
    assert response.status_code == 200 and "Acknowledged" in response.content.decode()
    entry = MigrationLedgerEntry.objects.across_tenants().get(tenant=acme)
    assert entry.state == "acknowledged" and entry.acknowledged_by == owner


def test_a_viewer_sees_the_page_but_cannot_acknowledge(schedule, payments_v1, acme, viewer, client):
    add_traffic(acme, payments_v1, at=T0 - timedelta(days=1))
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        client.force_login(viewer)
        page = client.get("/portal/deprecations/").content.decode()
        refused = client.post(f"/portal/deprecations/{schedule.pk}/acknowledge/")
    assert "Payments v1" in page and "Acknowledge</button>" not in page
    assert refused.status_code == 403


def test_nothing_affects_a_tenant_without_traffic_or_public_deprecations(signed_in):
    assert "No deprecation affects" in signed_in.get("/portal/deprecations/").content.decode()


def test_the_changelog_of_a_version_renders_the_findings_of_merged_reviews(payments_v2, signed_in):
    revision = SpecRevision.objects.create(
        version=payments_v2, document="{}", content_hash="0" * 64, size=2, source="cli"
    )
    review = Review.objects.create(version=payments_v2, revision=revision, status=Review.Status.MERGED, merged_at=T0)
    Finding.objects.create(
        review=review,
        rule_id="response-property-removed",
        level="ERR",
        operation="GET",
        path="/charges/{id}",
        text="removed the response property 'fee'",
    )
    Finding.objects.create(
        review=review, rule_id="endpoint-added", level="INFO", operation="POST", path="/refunds", text="endpoint added"
    )
    pending = Review.objects.create(version=payments_v2, revision=revision, status=Review.Status.READY)
    Finding.objects.create(review=pending, rule_id="api-removed", level="ERR", text="not merged yet")
    page = signed_in.get("/portal/changelog/payments/v2/").content.decode()
    assert "Breaking changes" in page and "removed the response property &#x27;fee&#x27;" in page
    assert "Other changes" in page and "endpoint added" in page
    assert "not merged yet" not in page
    index = signed_in.get("/portal/changelog/").content.decode()
    assert "/portal/changelog/payments/v2/" in index


def test_the_webhooks_page_registers_an_endpoint_and_shows_the_secret_once(signed_in, acme):
    created = signed_in.post(
        "/portal/webhooks/new/", {"url": "https://93.184.215.14/hooks", "event_types": ["deprecation.milestone"]}
    )
    page = created.content.decode()
    assert created.status_code == 200 and 'value="whsec_' in page
    assert created["Cache-Control"].startswith("max-age=0")
    endpoint = WebhookEndpoint.objects.across_tenants().get(tenant=acme)
    listing = signed_in.get("/portal/webhooks/").content.decode()
    detail = signed_in.get(f"/portal/webhooks/{endpoint.pk}/").content.decode()
    assert "https://93.184.215.14/hooks" in listing and "whsec_" not in listing and "whsec_" not in detail
    refused = signed_in.post("/portal/webhooks/new/", {"url": "http://169.254.169.254/"})
    assert "cloud metadata" in refused.content.decode()
