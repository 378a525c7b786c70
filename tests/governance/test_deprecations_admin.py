"""The deprecation schedule's admin page: edits go through the service (its audit event), and a
refusal of the service shows on the form with the staff member's input, nothing saved."""

import pytest
from django.test import Client

from governance.models import Api, ApiVersion, LifecycleState
from tenants.models import AuditEvent
from tests.governance.deprecation_fixtures import SUNSET

pytestmark = pytest.mark.django_db

# The brownout and exemption inlines, posted empty (the fixture's brownout is kept as it is).
INLINES = {
    "brownouts-TOTAL_FORMS": "0",
    "brownouts-INITIAL_FORMS": "0",
    "exemptions-TOTAL_FORMS": "0",
    "exemptions-INITIAL_FORMS": "0",
}


def posted(schedule, **dates):
    data = dict(INLINES)
    for name in ("announced_at", "deprecated_at", "sunset_at"):
        value = dates.get(name, getattr(schedule, name))
        data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.time().isoformat()
    data["successor"] = str(schedule.successor_id)
    data["migration_guide_url"] = schedule.migration_guide_url
    return data


@pytest.fixture
def staff(platform_admin):
    client = Client()
    client.force_login(platform_admin)
    return client


def schedule_events():
    return list(AuditEvent.objects.across_tenants().filter(action__startswith="deprecation.").order_by("seq"))


def test_moving_the_sunset_leaves_the_services_event(staff, platform_admin, schedule):
    before = len(schedule_events())
    later = SUNSET.replace(year=SUNSET.year + 1)
    response = staff.post(
        f"/admin/governance/deprecationschedule/{schedule.pk}/change/", posted(schedule, sunset_at=later)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    schedule.refresh_from_db()
    assert schedule.sunset_at == later
    [event] = schedule_events()[before:]
    assert (event.action, event.actor) == ("deprecation.changed", platform_admin)
    assert event.changes["sunset_at"] == [SUNSET.isoformat(), later.isoformat()]


def test_a_refusal_of_the_service_shows_on_the_form_and_saves_nothing(staff, schedule):
    # The form accepts any version as the successor; the service knows it must be of the same API.
    other_api = Api.objects.create(slug="ledger", name="Ledger")
    elsewhere = ApiVersion.objects.create(
        api=other_api, version="v3", base_path="/ledger/v3", state=LifecycleState.ACTIVE
    )
    before, successor = len(schedule_events()), schedule.successor_id
    later = SUNSET.replace(year=SUNSET.year + 1)
    data = posted(schedule, sunset_at=later) | {"successor": str(elsewhere.pk)}
    page = staff.post(f"/admin/governance/deprecationschedule/{schedule.pk}/change/", data)
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert errors["successor"] == ["The successor must be a version of the API payments."]
    schedule.refresh_from_db()
    assert (schedule.sunset_at, schedule.successor_id) == (SUNSET, successor) and len(schedule_events()) == before
