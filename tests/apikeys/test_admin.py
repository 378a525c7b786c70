"""The staff console: keys searchable by lookup id, never a secret; an audited revoke action."""

import pytest
from django.test import Client

from apikeys.models import ApiKey
from tenants.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(UserFactory(email="ops@console.test", is_staff=True, is_superuser=True))
    return client


def test_keys_are_found_by_lookup_id_and_never_show_a_secret(acme, make_key, staff_client):
    api_key, raw = make_key(acme)
    other, _ = make_key(acme)
    response = staff_client.get(f"/admin/apikeys/apikey/?q={api_key.lookup_id}")
    html = response.content.decode()
    assert response.status_code == 200 and api_key.lookup_id in html and other.lookup_id not in html
    detail = staff_client.get(f"/admin/apikeys/apikey/{api_key.pk}/change/").content.decode()
    assert api_key.digest not in detail and raw not in detail


def test_revoke_action_is_audited(acme, make_key, staff_client, django_capture_on_commit_callbacks):
    api_key, _ = make_key(acme)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/apikeys/apikey/", {"action": "revoke_keys", "_selected_action": [api_key.pk]}
        )
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_reason == "staff"
    event = AuditEvent.objects.across_tenants().get(action="api_key.revoked", target_id=str(api_key.pk))
    assert event.actor_label == "ops@console.test" and event.tenant_id == acme.pk


def test_changelist_query_count_does_not_grow(acme, make_key, staff_client, django_assert_max_num_queries):
    make_key(acme)
    staff_client.get("/admin/apikeys/apikey/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        staff_client.get("/admin/apikeys/apikey/")
    for _ in range(20):
        make_key(acme)
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/admin/apikeys/apikey/")
    assert len(many) == len(one)
    assert ApiKey.objects.across_tenants().count() == 21
