"""Schedule services: the dates in order, the successor of the same API, brownouts inside the
period, exemptions that expire — each audited and allowed only to the API's owners."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from governance.models import Api, ApiVersion, DeprecationExemption
from governance.services import deprecations
from tenants.models import AuditEvent
from tenants.principal import Principal
from tenants.services.errors import NotAllowed, ServiceError
from tests.governance.deprecation_fixtures import ANNOUNCED, BROWNOUT_END, BROWNOUT_START, SUNSET, SYSTEM, T0

pytestmark = pytest.mark.django_db


def create(version, successor, **changes):
    values = {
        "announced_at": ANNOUNCED,
        "deprecated_at": T0,
        "sunset_at": SUNSET,
        "successor": successor,
        "migration_guide_url": "https://docs.example.test/guide",
        **changes,
    }
    actor = values.pop("actor", SYSTEM)
    with transaction.atomic():
        return deprecations.create_schedule(actor=actor, version=version, **values)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"announced_at": T0 + timedelta(days=1)}, "announced_at"),
        ({"sunset_at": T0}, "sunset_at"),
        ({"migration_guide_url": "javascript:alert(1)"}, "migration_guide_url"),
    ],
)
def test_dates_and_guide_are_checked(payments_v1, payments_v2, changes, field):
    with pytest.raises(ValidationError) as refused:
        create(payments_v1, payments_v2, **changes)
    assert field in refused.value.message_dict


def test_the_successor_is_another_version_of_the_same_api(payments_v1):
    other = ApiVersion.objects.create(
        api=Api.objects.create(slug="other", name="Other"), version="v2", base_path="/other/v2"
    )
    for successor in (payments_v1, other):
        with pytest.raises(ValidationError) as refused:
            create(payments_v1, successor)
        assert "successor" in refused.value.message_dict


def test_creating_is_audited_and_only_once_per_version(payments_v1, payments_v2):
    schedule = create(payments_v1, payments_v2)
    event = AuditEvent.objects.across_tenants().get(action="deprecation.scheduled")
    assert event.target_id == str(schedule.pk) and event.changes["successor"] == "payments v2"
    with pytest.raises(ServiceError):
        create(payments_v1, payments_v2)


def test_only_owners_of_the_api_schedule_it(payments_v1, payments_v2, other_owner, api_owner):
    with pytest.raises(NotAllowed):
        create(payments_v1, payments_v2, actor=Principal.for_staff(other_owner))
    assert create(payments_v1, payments_v2, actor=Principal.for_staff(api_owner)).created_by == api_owner


def test_brownouts_lie_inside_the_period_and_do_not_overlap(schedule):
    for start, end in [
        (T0 - timedelta(hours=1), T0 + timedelta(hours=1)),  # starts before deprecation
        (SUNSET - timedelta(hours=1), SUNSET + timedelta(hours=1)),  # ends after sunset
        (BROWNOUT_START + timedelta(minutes=30), BROWNOUT_END + timedelta(hours=1)),  # overlaps
        (BROWNOUT_END, BROWNOUT_START),
    ]:
        with pytest.raises(ValidationError), transaction.atomic():
            deprecations.add_brownout(actor=SYSTEM, schedule=schedule, starts_at=start, ends_at=end)
    with transaction.atomic():
        deprecations.add_brownout(
            actor=SYSTEM, schedule=schedule, starts_at=BROWNOUT_END, ends_at=BROWNOUT_END + timedelta(hours=1)
        )  # back to back is fine
    assert schedule.brownouts.count() == 2
    assert AuditEvent.objects.across_tenants().filter(action="deprecation.brownout_added").count() == 2


def test_moving_the_sunset_before_a_brownout_is_refused(schedule):
    with pytest.raises(ValidationError), transaction.atomic():
        deprecations.update_schedule(actor=SYSTEM, schedule=schedule, sunset_at=BROWNOUT_START)
    with transaction.atomic():
        deprecations.update_schedule(actor=SYSTEM, schedule=schedule, sunset_at=SUNSET + timedelta(days=30))
    event = AuditEvent.objects.across_tenants().get(action="deprecation.changed")
    assert list(event.changes) == ["sunset_at"]


def test_exemptions_are_audited_on_the_tenants_chain_and_can_be_ended(schedule, acme):
    with time_machine.travel(T0, tick=False):
        with pytest.raises(ValidationError), transaction.atomic():
            deprecations.grant_exemption(
                actor=SYSTEM, schedule=schedule, tenant=acme, reason="x", expires_at=T0 - timedelta(days=1)
            )
        with transaction.atomic():
            exemption = deprecations.grant_exemption(
                actor=SYSTEM, schedule=schedule, tenant=acme, reason="Big migration", expires_at=SUNSET
            )
        with transaction.atomic():
            deprecations.end_exemption(actor=SYSTEM, exemption=exemption)
    assert DeprecationExemption.objects.across_tenants().get().expires_at == T0
    actions = list(
        AuditEvent.objects.across_tenants().filter(tenant=acme).values_list("action", flat=True).order_by("seq")
    )
    assert actions == ["deprecation.exemption_granted", "deprecation.exemption_ended"]
