"""The keys and usage pages: the key shown once, rotation with overlap, revocation, the chart."""

import re

import pytest
from django.test import Client

from apikeys import services
from apikeys.models import ApiKey
from apikeys.requestpath import metering
from tenants.principal import Principal

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def test_create_shows_the_key_once_with_a_copy_button(acme, owner, browser, redis_client):
    page = browser(owner)
    response = page.post(
        "/portal/keys/new/",
        {
            "name": "billing",
            "environment": "live",
            "scopes": ["catalog:read", "usage:read"],
            "allowed_cidrs": "203.0.113.0/24\n",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    raw = re.search(r'value="(gvk_live_[^"]+)"', html).group(1)
    assert 'data-copy-target="api-key"' in html and "no-store" in response["Cache-Control"]
    api_key = ApiKey.objects.across_tenants().get(name="billing")
    assert api_key.allowed_cidrs == ["203.0.113.0/24"] and api_key.created_by == owner
    listing = page.get("/portal/keys/").content.decode()
    assert api_key.lookup_id in listing and raw not in listing


def test_create_shows_field_errors(acme, owner, browser):
    response = browser(owner).post(
        "/portal/keys/new/", {"name": "x", "environment": "live", "allowed_cidrs": "not-an-ip"}
    )
    assert response.status_code == 200
    assert "not an IP address" in response.content.decode()
    assert not ApiKey.objects.across_tenants().exists()


def test_rotate_with_a_chosen_overlap(acme, owner, browser, make_key):
    api_key, _ = make_key(acme)
    page = browser(owner)
    form = page.get(f"/portal/keys/{api_key.pk}/rotate/").content.decode()
    assert "Keep the old key working for 7 days" in form
    response = page.post(f"/portal/keys/{api_key.pk}/rotate/", {"overlap": "7d"})
    assert response.status_code == 200 and "keeps working until" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.status == "rotating"
    assert ApiKey.objects.across_tenants().filter(rotated_from=api_key).count() == 1


def test_revoke_asks_first_then_revokes(acme, owner, browser, make_key):
    api_key, _ = make_key(acme)
    page = browser(owner)
    assert "can't be undone" in page.get(f"/portal/keys/{api_key.pk}/revoke/").content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # the GET only asked
    response = page.post(f"/portal/keys/{api_key.pk}/revoke/", follow=True)
    assert "is revoked" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.status == "revoked"


def test_a_viewer_sees_keys_but_cannot_manage_them(acme, viewer, browser, make_key):
    api_key, _ = make_key(acme)
    page = browser(viewer)
    listing = page.get("/portal/keys/")
    assert listing.status_code == 200 and "Revoke" not in listing.content.decode()
    assert page.post(f"/portal/keys/{api_key.pk}/revoke/").status_code == 403
    assert page.get("/portal/keys/new/").status_code == 403


def test_another_tenants_key_is_404(acme, globex, owner, browser, make_key):
    theirs, _ = make_key(globex)
    page = browser(owner)
    assert page.get(f"/portal/keys/{theirs.pk}/rotate/").status_code == 404
    assert page.post(f"/portal/keys/{theirs.pk}/revoke/").status_code == 404
    assert theirs.lookup_id not in page.get("/portal/keys/").content.decode()


def test_usage_page_draws_calls_per_day_per_key_and_version(acme, owner, browser, key_client):
    client = key_client(acme, name="mobile app")
    for _ in range(4):
        client.get("/api/v1/keys/")
    metering.flush_usage()
    html = browser(owner).get("/portal/usage/?days=7").content.decode()
    assert "<svg" in html and "<rect" in html
    assert "mobile app · console v1: 4 calls" in html
    assert "cdn" not in html.lower()


def test_usage_page_without_calls(acme, owner, browser):
    html = browser(owner).get("/portal/usage/").content.decode()
    assert "No calls in this period" in html


def test_navigation_links(acme, owner, browser):
    html = browser(owner).get("/portal/keys/").content.decode()
    assert 'href="/portal/keys/"' in html and 'href="/portal/usage/"' in html


def test_the_keys_page_names_scopes_and_lists_revoked_keys_apart(acme, owner, browser, make_key):
    kept, _ = make_key(acme, scopes=["keys:read", "usage:read"], name="deploy bot")
    gone, _ = make_key(acme, scopes=["keys:read"], name="old laptop")
    services.revoke_key(actor=Principal.system(acme), api_key=gone)
    html = browser(owner).get("/portal/keys/").content.decode()
    in_use, _, retired = html.partition("Revoked and expired")
    assert "deploy bot" in in_use and "<code>usage:read</code>" in in_use and "old laptop" not in in_use
    assert "old laptop" in retired and "deploy bot" not in retired
    assert "Created (UTC)" in html
