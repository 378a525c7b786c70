"""Every lifecycle transition, every guard, who may do it, and the audit event each leaves."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from governance.models import DeprecationSchedule, LifecycleState
from governance.services import lifecycle
from governance.services.lifecycle import LifecycleError
from tenants.models import AuditEvent
from tenants.principal import Principal
from tenants.services.errors import NotAllowed
from tests.governance.conftest import make_version, spec

pytestmark = pytest.mark.django_db
S = LifecycleState
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def run(name, version, actor=None):
    with transaction.atomic():
        return lifecycle.apply_transition(actor=actor or Principal.system(), version=version, name=name)


def schedule(version, *, deprecated_in=0, notice_days=200, successor=None):
    deprecated_at = NOW + timedelta(days=deprecated_in)
    return DeprecationSchedule.objects.create(
        version=version,
        announced_at=deprecated_at - timedelta(days=1),
        deprecated_at=deprecated_at,
        sunset_at=deprecated_at + timedelta(days=notice_days),
        successor=successor,
    )


@pytest.fixture
def v1_active(payments):
    return make_version(payments, "v1", S.ACTIVE, spec("payments_v1.yaml"))


@pytest.fixture
def v2_preview(payments):
    return make_version(payments, "v2", S.PREVIEW, spec("payments_v2.yaml"))


# --- the happy path, step by step -------------------------------------------------------------------


def test_draft_to_preview_to_active_needs_a_published_spec(payments, platform_admin):
    version = make_version(payments, "v1")
    actor = Principal.for_staff(platform_admin)

    with pytest.raises(LifecycleError, match="no published spec revision"):
        run("preview", version, actor)
    make_version(payments, "v9", document=spec("payments_v1.yaml"))  # another version's spec doesn't count
    version.refresh_from_db()
    assert version.state == S.DRAFT

    from tests.governance.conftest import publish_directly

    publish_directly(version, spec("payments_v1.yaml"))
    assert run("preview", version, actor).state == S.PREVIEW
    version.refresh_from_db()
    assert version.state_changed_at == NOW
    assert run("activate", version, actor).state == S.ACTIVE

    events = list(
        AuditEvent.objects.across_tenants()
        .filter(target_id=str(version.pk), action__startswith="api_version.")
        .order_by("seq")
        .values_list("action", "changes", "actor_label")
    )
    assert events == [
        ("api_version.preview", {"state": ["draft", "preview"]}, platform_admin.email),
        ("api_version.activate", {"state": ["preview", "active"]}, platform_admin.email),
    ]


def test_activate_refuses_a_preview_without_spec(payments):
    version = make_version(payments, "v1", S.PREVIEW)
    with pytest.raises(LifecycleError, match="no published spec"):
        run("activate", version)


def test_deprecate_sunset_retire_an_active_version(v1_active, v2_preview):
    schedule(v1_active, notice_days=180, successor=v2_preview)
    assert run("deprecate", v1_active).state == S.DEPRECATED

    with pytest.raises(LifecycleError, match="before its sunset date"):
        run("sunset", v1_active)
    with time_machine.travel(NOW + timedelta(days=180, seconds=1), tick=False):
        with pytest.raises(LifecycleError, match="is deprecated; “Retire” applies only to a version that is sunset"):
            run("retire", v1_active)
        assert run("sunset", v1_active).state == S.SUNSET
        assert run("retire", v1_active).state == S.RETIRED


# --- deprecate's guards -------------------------------------------------------------------------------


def test_deprecate_needs_a_schedule(v1_active):
    with pytest.raises(LifecycleError, match="no deprecation schedule with a sunset date"):
        run("deprecate", v1_active)


def test_deprecate_refuses_a_sunset_date_already_past(v1_active, v2_preview):
    schedule(v1_active, deprecated_in=-400, notice_days=200, successor=v2_preview)
    with pytest.raises(LifecycleError, match="already past"):
        run("deprecate", v1_active)


@pytest.mark.parametrize(
    ("state", "days", "ok"),
    [
        (S.ACTIVE, 179, False),
        (S.ACTIVE, 180, True),
        (S.PREVIEW, 30, False),
        (S.PREVIEW, 31, True),
    ],
)
def test_deprecate_enforces_the_notice_of_the_state_it_leaves(payments, state, days, ok):
    successor = make_version(payments, "v2", S.ACTIVE, spec("payments_v2.yaml"))
    version = make_version(payments, "v1", state, spec("payments_v1.yaml"))
    schedule(version, notice_days=days, successor=successor)
    if ok:
        assert run("deprecate", version).state == S.DEPRECATED
    else:
        with pytest.raises(LifecycleError, match=f"is {days} days; the policy of payments requires at least"):
            run("deprecate", version)


def test_the_notice_policy_is_per_api(payments, v1_active, v2_preview):
    payments.min_notice_days_active = 30
    payments.save()
    schedule(v1_active, notice_days=30, successor=v2_preview)
    assert run("deprecate", v1_active).state == S.DEPRECATED


def test_deprecating_an_active_version_needs_a_successor(v1_active):
    schedule(v1_active, notice_days=200)
    with pytest.raises(LifecycleError, match="needs a successor version"):
        run("deprecate", v1_active)


def test_a_preview_needs_no_successor(payments):
    version = make_version(payments, "v1", S.PREVIEW, spec("payments_v1.yaml"))
    schedule(version, notice_days=31)
    assert run("deprecate", version).state == S.DEPRECATED


@pytest.mark.parametrize("successor_state", [S.DRAFT, S.DEPRECATED, S.RETIRED])
def test_the_successor_must_be_in_preview_or_active(payments, v1_active, successor_state):
    successor = make_version(payments, "v2", successor_state, spec("payments_v2.yaml"))
    schedule(v1_active, notice_days=200, successor=successor)
    with pytest.raises(LifecycleError, match=f"is {successor_state}; it must be in preview or active"):
        run("deprecate", v1_active)


def test_the_successor_must_be_a_version_of_the_same_api(payments, v1_active):
    from governance.models import Api

    other = make_version(Api.objects.create(slug="other", name="Other"), "v2", S.ACTIVE, spec("payments_v2.yaml"))
    schedule(v1_active, notice_days=200, successor=other)
    with pytest.raises(LifecycleError, match="another version of the API payments"):
        run("deprecate", v1_active)


def test_require_successor_can_be_switched_off_per_api(payments, v1_active):
    payments.require_successor_for_active = False
    payments.save()
    schedule(v1_active, notice_days=200)
    assert run("deprecate", v1_active).state == S.DEPRECATED


# --- un-deprecate, abandon ----------------------------------------------------------------------------


def test_undeprecate_only_before_sunset(v1_active, v2_preview):
    schedule(v1_active, notice_days=180, successor=v2_preview)
    run("deprecate", v1_active)
    assert run("undeprecate", v1_active).state == S.ACTIVE

    run("deprecate", v1_active)
    with (
        time_machine.travel(NOW + timedelta(days=181), tick=False),
        pytest.raises(LifecycleError, match="can no longer be un-deprecated"),
    ):
        run("undeprecate", v1_active)
    v1_active.refresh_from_db()
    assert v1_active.state == S.DEPRECATED


def test_abandon_retires_a_preview_without_schedule(v2_preview):
    assert run("abandon", v2_preview).state == S.RETIRED


def test_retire_refuses_before_sunset_even_from_sunset_state(payments):
    # A sunset version whose schedule was moved later (e.g. to extend it) can't be retired early.
    version = make_version(payments, "v1", S.SUNSET, spec("payments_v1.yaml"))
    schedule(version, deprecated_in=-10, notice_days=200)
    with pytest.raises(LifecycleError, match="before its sunset date"):
        run("retire", version)


# --- only the allowed transitions ----------------------------------------------------------------------

ALLOWED = {
    ("preview", S.DRAFT),
    ("activate", S.PREVIEW),
    ("deprecate", S.PREVIEW),
    ("deprecate", S.ACTIVE),
    ("undeprecate", S.DEPRECATED),
    ("sunset", S.DEPRECATED),
    ("retire", S.SUNSET),
    ("abandon", S.PREVIEW),
}


@pytest.mark.parametrize("name", list(lifecycle.TRANSITIONS))
@pytest.mark.parametrize("state", list(S))
def test_no_transition_outside_the_graph(payments, name, state):
    version = make_version(payments, "v1", state, spec("payments_v1.yaml"))
    refusals = lifecycle.check_transition(version, name)
    if (name, state) in ALLOWED:
        assert not any("applies only to a version that is" in r for r in refusals)
    else:
        assert refusals and "applies only to a version that is" in refusals[0]
        with pytest.raises(LifecycleError):
            run(name, version)


def test_refusal_leaves_no_audit_event_and_no_change(v1_active):
    before = AuditEvent.objects.across_tenants().count()
    with pytest.raises(LifecycleError):
        run("deprecate", v1_active)
    assert AuditEvent.objects.across_tenants().count() == before
    v1_active.refresh_from_db()
    assert v1_active.state == S.ACTIVE


# --- who ------------------------------------------------------------------------------------------------


def test_api_owner_may_move_their_api(payments, api_owner):
    version = make_version(payments, "v1", S.DRAFT, spec("payments_v1.yaml"))
    assert run("preview", version, Principal.for_staff(api_owner)).state == S.PREVIEW


def test_other_staff_are_refused(payments, other_owner, reviewer):
    version = make_version(payments, "v1", S.DRAFT, spec("payments_v1.yaml"))
    for user in (other_owner, reviewer):
        with pytest.raises(NotAllowed, match="Only platform admins and owners of the API payments"):
            run("preview", version, Principal.for_staff(user))


def test_an_owner_of_another_api_is_refused(payments, api_owner):
    from governance.models import Api
    from tests.governance.conftest import make_version as mk

    other = mk(Api.objects.create(slug="other", name="Other"), "v1", S.DRAFT, spec("payments_v1.yaml"))
    with pytest.raises(NotAllowed):
        run("preview", other, Principal.for_staff(api_owner))


def test_a_superuser_is_a_platform_admin(payments):
    from tests.factories import UserFactory

    root = UserFactory(email="root@platform.test", is_staff=True, is_superuser=True)
    version = make_version(payments, "v1", S.DRAFT, spec("payments_v1.yaml"))
    assert run("preview", version, Principal.for_staff(root)).state == S.PREVIEW
