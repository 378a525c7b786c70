"""The migration ledger: notified with the first notice, acknowledged by the tenant (portal or API),
migrated after 7 days without calls to the old version (and back if the calls resume); the staff
table shows it with each tenant's last call and call count."""

from datetime import timedelta

import pytest
import time_machine

from governance.models import MigrationLedgerEntry
from governance.services import notices
from tenants.models import AuditEvent
from tests.governance.deprecation_fixtures import T0, add_traffic

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(schedule, payments_v1, acme, owner, developer):
    add_traffic(acme, payments_v1, at=T0 - timedelta(days=2), calls=42)
    with time_machine.travel(T0, tick=False):
        notices.run()
    return MigrationLedgerEntry.objects.across_tenants().get(tenant=acme)


def test_the_first_notice_makes_the_tenant_notified(notified):
    assert notified.state == "notified" and notified.notified_at == T0
    assert notified.last_call_at == (T0 - timedelta(days=2)).replace(minute=0) + timedelta(hours=1)


def test_acknowledging_through_the_api_is_audited_and_idempotent(notified, schedule, acme, developer, token_client):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        client = token_client(acme, scopes=["deprecations:read", "deprecations:write"], user=developer)
        first = client.post(f"/api/v1/deprecations/{schedule.pk}/acknowledge/")
        second = client.post(f"/api/v1/deprecations/{schedule.pk}/acknowledge/")
    assert first.status_code == 200 and first.json()["state"] == "acknowledged"
    assert second.json() == first.json()
    notified.refresh_from_db()
    assert notified.acknowledged_by == developer
    assert AuditEvent.objects.across_tenants().filter(tenant=acme, action="deprecation.acknowledged").count() == 1


def test_acknowledging_needs_the_write_scope(notified, schedule, acme, token_client):
    response = token_client(acme, scopes=["deprecations:read"]).post(f"/api/v1/deprecations/{schedule.pk}/acknowledge/")
    assert response.status_code == 403 and response.json()["type"] == "/problems/insufficient-scope"


def test_seven_quiet_days_make_the_tenant_migrated_and_a_new_call_undoes_it(notified, payments_v1, acme):
    last_call_end = notified.last_call_at
    with time_machine.travel(last_call_end + timedelta(days=7) - timedelta(seconds=1), tick=False):
        assert notices.update_ledger() == 0
    with time_machine.travel(last_call_end + timedelta(days=7), tick=False):
        assert notices.update_ledger() == 1
    notified.refresh_from_db()
    assert notified.state == "migrated" and notified.migrated_at == last_call_end + timedelta(days=7)

    add_traffic(acme, payments_v1, at=last_call_end + timedelta(days=8))
    with time_machine.travel(last_call_end + timedelta(days=8, hours=2), tick=False):
        notices.update_ledger()
    notified.refresh_from_db()
    assert notified.state == "notified" and notified.migrated_at is None


def test_the_deprecations_api_lists_only_what_affects_the_caller(notified, schedule, acme, globex, token_client):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        mine = token_client(acme, scopes=["deprecations:read"]).get("/api/v1/deprecations/").json()["results"]
        theirs = token_client(globex, scopes=["deprecations:read"]).get("/api/v1/deprecations/")
        hidden = token_client(globex, scopes=["deprecations:read"]).get(f"/api/v1/deprecations/{schedule.pk}/")
    [row] = mine
    assert row["version"] == {"api": "payments", "version": "v1", "base_path": "/payments/v1", "state": "deprecated"}
    assert row["successor"]["version"] == "v2" and len(row["brownouts"]) == 1
    assert row["ledger"]["state"] == "notified"
    # payments is a public API: its deprecated v1 concerns every tenant, with no ledger for globex.
    assert [r["id"] for r in theirs.json()["results"]] == [schedule.pk]
    assert theirs.json()["results"][0]["ledger"] is None and hidden.status_code == 200


def test_a_partner_api_deprecation_is_invisible_to_tenants_that_never_called_it(
    schedule, payments, globex, token_client
):
    payments.visibility = "partner"
    payments.save()
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        client = token_client(globex, scopes=["deprecations:read"])
        assert client.get("/api/v1/deprecations/").json()["results"] == []
        assert client.get(f"/api/v1/deprecations/{schedule.pk}/").status_code == 404


def test_staff_see_the_ledger_table_with_last_call_and_counts(notified, schedule, platform_admin, client):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        admin_client = client
        admin_client.force_login(platform_admin)
        table = admin_client.get(f"/admin/governance/migrationledgerentry/?schedule__id__exact={schedule.pk}")
        schedules = admin_client.get("/admin/governance/deprecationschedule/")
    assert table.status_code == 200
    page = table.content.decode()
    assert "acme" in page.lower() and "Notified" in page and ">42<" in page
    assert schedules.status_code == 200 and "payments v1" in schedules.content.decode()
