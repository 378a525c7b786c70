"""Every portal page and action that names an object (tests/portal_harness.py) against its owner, an
outsider from another tenant, and a member of both tenants working in the other one: another
tenant's webhook, key, client, member, invitation or deprecation is a 404 and stays as it was."""

import pytest

from tenants.middleware import SESSION_KEY
from tenants.models import AuditEvent
from tenants.roles import Role
from tests import portal_harness as harness
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def signed_in(client, user, tenant=None):
    client.force_login(user)
    if tenant is not None:
        session = client.session
        session[SESSION_KEY] = tenant.pk
        session.save()
    return client


def acme_trail(acme):
    return list(AuditEvent._base_manager.filter(tenant=acme).values_list("pk", flat=True))


def test_every_portal_url_with_a_parameter_is_declared():
    patterns = harness.portal_patterns_with_parameters()
    declared = harness.declared()
    assert sorted(set(patterns) - set(declared)) == [], "declare these in tests/portal_harness.py"
    assert sorted(set(declared) - set(patterns)) == [], "declared but no longer in the URLconf"


@pytest.mark.parametrize("page", harness.PAGES, ids=lambda page: page.url_name)
def test_each_declared_page_lists_the_methods_its_view_answers(page):
    pattern = harness.portal_patterns_with_parameters()[page.url_name]
    assert page.methods == harness.view_methods(pattern)


@pytest.mark.parametrize(("page", "method"), harness.cases())
def test_the_owner_reaches_the_object(page, method, client, acme, owner):
    """The control: the URL is right and the action works, so the outsider's 404 below means the
    scope refused them (and the state read is the one the action changes)."""
    obj = page.make(acme)
    before = page.state(obj)

    response = harness.call(signed_in(client, owner), page, method, obj)

    assert response.status_code in ((200,) if method == "get" else (200, 302)), response.content[:500]
    if method == "post" and page.post_changes_state:
        assert page.state(obj) != before
    elif method == "get":
        assert page.state(obj) == before


@pytest.mark.parametrize(("page", "method"), harness.cases())
def test_an_outsider_gets_404_and_the_object_is_unchanged(page, method, client, acme, globex, owner, outsider):
    obj = page.make(acme)
    before, trail = page.state(obj), acme_trail(acme)

    response = harness.call(signed_in(client, outsider), page, method, obj)

    assert response.status_code == 404, response.content[:500]
    assert page.state(obj) == before
    assert acme_trail(acme) == trail


@pytest.mark.parametrize(("page", "method"), harness.cases(members_elsewhere=True))
def test_a_member_of_both_tenants_working_in_the_other_gets_404(page, method, client, acme, globex, owner):
    MembershipFactory(tenant=globex, user=owner, role=Role.OWNER)
    obj = page.make(acme)
    before, trail = page.state(obj), acme_trail(acme)

    response = harness.call(signed_in(client, owner, tenant=globex), page, method, obj)

    assert response.status_code == 404, response.content[:500]
    assert page.state(obj) == before
    assert acme_trail(acme) == trail
