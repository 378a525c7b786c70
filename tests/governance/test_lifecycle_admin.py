"""The lifecycle in the staff console: each transition is an action with a confirmation page that
shows the guard result and refuses with the reason; catalog writes go through the audited services."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import Api, ApiVersion, DeprecationSchedule, LifecycleState
from tenants.models import AuditEvent
from tests.governance.conftest import make_version, spec

pytestmark = pytest.mark.django_db
S = LifecycleState
CHANGELIST = "/admin/governance/apiversion/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def action(client, name, versions, confirm=False):
    data = {"action": f"transition_{name}", ACTION_CHECKBOX_NAME: [v.pk for v in versions]}
    if confirm:
        data["confirm"] = "yes"
    return client.post(CHANGELIST, data)


def test_the_confirmation_page_shows_the_guard_result_before_anything_changes(payments, platform_admin):
    ready = make_version(payments, "v1", S.DRAFT, spec("payments_v1.yaml"))
    not_ready = make_version(payments, "v2", S.DRAFT)
    client = signed_in(platform_admin)

    page = action(client, "preview", [ready, not_ready])

    assert page.status_code == 200
    html = page.content.decode()
    assert "Every guard passes: it will become preview." in html
    assert "Refused: payments v2 has no published spec revision" in html
    ready.refresh_from_db()
    assert ready.state == S.DRAFT  # nothing happens before confirming

    done = action(client, "preview", [ready, not_ready], confirm=True)
    assert done.status_code == 302
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert (ready.state, not_ready.state) == (S.PREVIEW, S.DRAFT)
    messages = [m.message for m in done.wsgi_request._messages]
    assert any("payments v2: refused — payments v2 has no published spec revision" in m for m in messages)
    assert AuditEvent.objects.across_tenants().filter(action="api_version.preview", actor=platform_admin).count() == 1


def test_deprecation_refusal_names_the_policy(payments, platform_admin):
    version = make_version(payments, "v1", S.ACTIVE, spec("payments_v1.yaml"))
    now = timezone.now()
    DeprecationSchedule.objects.create(
        version=version, announced_at=now, deprecated_at=now, sunset_at=now + timedelta(days=90)
    )
    html = action(signed_in(platform_admin), "deprecate", [version]).content.decode()
    assert "the policy of payments requires at least 180 days" in html
    assert "needs a successor version" in html
    assert 'name="confirm"' not in html  # nothing can be done


def test_an_api_owner_acts_on_their_api_only(payments, api_owner):
    mine = make_version(payments, "v1", S.DRAFT, spec("payments_v1.yaml"))
    theirs = make_version(Api.objects.create(slug="other", name="Other"), "v1", S.DRAFT, spec("payments_v1.yaml"))
    client = signed_in(api_owner)

    html = action(client, "preview", [mine, theirs]).content.decode()
    assert "Refused: You are not an owner of the API other." in html
    action(client, "preview", [mine, theirs], confirm=True)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == (S.PREVIEW, S.DRAFT)


def test_support_staff_cannot_run_transitions(payments):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    support = UserFactory(email="sam@platform.test", is_staff=True)
    support.groups.add(Group.objects.get(name="Support"))
    version = make_version(payments, "v1", S.DRAFT, spec("payments_v1.yaml"))
    client = signed_in(support)
    assert client.get(CHANGELIST).status_code == 200  # may look
    action(client, "preview", [version], confirm=True)
    version.refresh_from_db()
    assert version.state == S.DRAFT


def test_creating_an_api_and_a_version_in_the_admin_is_audited(platform_admin, api_owner):
    client = signed_in(platform_admin)
    response = client.post(
        "/admin/governance/api/add/",
        {
            "slug": "orders",
            "name": "Orders",
            "description": "",
            "visibility": "partner",
            "owners": [api_owner.pk],
            "min_notice_days_preview": 31,
            "min_notice_days_active": 180,
            "require_successor_for_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    api = Api.objects.get(slug="orders")
    assert api_owner.has_perm("governance.own_api", api)
    assert AuditEvent.objects.across_tenants().filter(action="api.created", target_id=str(api.pk)).exists()
    assert AuditEvent.objects.across_tenants().filter(action="api.owners_changed", target_id=str(api.pk)).exists()

    owner_client = signed_in(api_owner)
    response = owner_client.post(
        "/admin/governance/apiversion/add/", {"api": api.pk, "version": "v1", "base_path": "/orders/v1/"}
    )
    assert response.status_code == 302, response.content
    version = ApiVersion.objects.get(api=api, version="v1")
    assert (version.base_path, version.state) == ("/orders/v1", S.DRAFT)
    assert (
        AuditEvent.objects.across_tenants().get(action="api_version.created", target_id=str(version.pk)).actor
        == api_owner
    )


def test_api_owners_cannot_add_apis_or_edit_others(payments, api_owner):
    other = Api.objects.create(slug="other", name="Other")
    client = signed_in(api_owner)
    assert client.get("/admin/governance/api/add/").status_code == 403
    response = client.post(f"/admin/governance/api/{other.pk}/change/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert client.get(f"/admin/governance/api/{payments.pk}/change/").status_code == 200


def test_the_base_path_is_fixed_once_the_version_is_offered(payments, platform_admin):
    version = make_version(payments, "v1", S.PREVIEW, spec("payments_v1.yaml"))
    response = signed_in(platform_admin).post(
        f"/admin/governance/apiversion/{version.pk}/change/", {"base_path": "/elsewhere"}
    )
    assert response.status_code == 200
    assert "can only change while the version is a draft" in response.content.decode()


@pytest.mark.parametrize("model", ["api", "apiversion", "specrevision", "review", "waiver"])
def test_changelists_cost_the_same_for_1_and_30_rows(payments, platform_admin, model):
    from tests.governance.conftest import submit

    client = signed_in(platform_admin)

    def make(n):
        api = Api.objects.create(slug=f"api-{model}-{n}", name=f"API {n}")
        version = make_version(api, "v1", S.ACTIVE, spec("payments_v2.yaml"))
        review = submit(version, spec("payments_v2_proposed.yaml"))
        from governance.models import Waiver

        Waiver.objects.create(
            finding=review.findings.first(),
            reason="r",
            expires_at=timezone.now() + timedelta(days=1),
            created_by=platform_admin,
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/admin/governance/{model}/")
        assert response.status_code == 200
        return len(queries)

    make(0)
    client.get(f"/admin/governance/{model}/")
    one = count()
    for n in range(1, 30):
        make(n)
    client.get(f"/admin/governance/{model}/")
    assert count() == one
    assert client.get(f"/admin/governance/{model}/", {"q": "api"}).status_code == 200
