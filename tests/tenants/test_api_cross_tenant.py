"""Every declared endpoint (tests/harness.py) against every kind of caller: the owner, lower roles,
a machine token, an outsider from another tenant, a token lacking the scope, and nobody."""

import pytest

from tenants.principal import MACHINE_ROLE
from tenants.roles import Role, role_allows
from tests import harness

pytestmark = pytest.mark.django_db

OTHER_CALLERS = ["admin", "developer", "viewer", "machine"]


@pytest.fixture
def people(owner, admin_member, developer, viewer, outsider):
    return {"owner": owner, "admin": admin_member, "developer": developer, "viewer": viewer, "outsider": outsider}


@pytest.fixture
def target(acme, people):
    """Builds the endpoint's object in acme (after the people exist, so e.g. a member list holds both)."""
    return lambda endpoint: endpoint.make(acme)


def _snapshot(endpoint, obj, owner):
    """What the owner reads of the object (None when the endpoint has no retrieve)."""
    if endpoint.action("retrieve") is None:
        return None
    response = harness.session_client(owner).get(endpoint.detail_url(obj))
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("credential", ["session", "token"])
@pytest.mark.parametrize(("endpoint", "action"), harness.cases())
def test_owner_may_do_everything(endpoint, action, credential, acme, people, target):
    obj = target(endpoint)
    owner = people["owner"]
    client = harness.session_client(owner) if credential == "session" else harness.token_client(acme, user=owner)

    response = harness.perform(client, endpoint, action, obj)

    assert response.status_code == action.success, response.content
    if action.name == "list":
        assert obj.pk in harness.listed_ids(response)
    if action.name == "destroy" and endpoint.action("retrieve") and endpoint.name != "invitations":
        assert client.get(endpoint.detail_url(obj)).status_code == 404


@pytest.mark.parametrize("caller", OTHER_CALLERS)
@pytest.mark.parametrize(("endpoint", "action"), harness.cases())
def test_lower_roles_follow_the_role_table(endpoint, action, caller, acme, people, target):
    obj = target(endpoint)
    if caller == "machine":
        role, client = MACHINE_ROLE, harness.token_client(acme)  # client credentials: no person
    else:
        role, client = Role(caller), harness.session_client(people[caller])

    response = harness.perform(client, endpoint, action, obj)

    if role_allows(role, action.permission):
        assert response.status_code == action.success, response.content
    else:
        assert response.status_code == 403, response.content
        assert harness.problem_type(response) == "/problems/permission-denied"


@pytest.mark.parametrize(("endpoint", "action"), harness.cases(on_object=True))
def test_outsider_never_reaches_the_object(endpoint, action, acme, globex, people, target):
    obj = target(endpoint)
    before = _snapshot(endpoint, obj, people["owner"])
    outsider = harness.token_client(globex, user=people["outsider"])  # globex's owner, every scope

    response = harness.perform(outsider, endpoint, action, obj)

    if endpoint.shared:
        assert response.status_code == action.success, response.content  # the same shared object
    elif endpoint.singleton:
        # The URL names no object: the outsider reaches their own tenant's, never acme's.
        assert response.status_code == action.success, response.content
        if response.content:
            assert response.json()["id"] != obj.pk
    else:
        assert response.status_code == 404, response.content
        assert harness.problem_type(response) == "/problems/not-found"
    assert _snapshot(endpoint, obj, people["owner"]) == before


@pytest.mark.parametrize("endpoint", harness.list_endpoints())
def test_outsider_lists_never_show_the_object(endpoint, acme, globex, people, target):
    obj = target(endpoint)
    own = endpoint.make(globex)
    outsider = harness.token_client(globex, user=people["outsider"])

    seen = harness.listed_ids(outsider.get(endpoint.url))

    if endpoint.shared:  # catalog data: every tenant lists the same rows
        assert obj.pk in seen and own.pk in seen
        return
    assert obj.pk not in seen
    assert own.pk in seen  # the list works for them; it just holds only their tenant's rows
    assert obj.pk in harness.listed_ids(harness.session_client(people["owner"]).get(endpoint.url))


@pytest.mark.parametrize(("endpoint", "action"), harness.cases(scoped_only=True))
def test_a_token_without_the_scope_is_refused(endpoint, action, acme, people, target):
    obj = target(endpoint)
    scopes = [s for s in harness.ALL_SCOPES if s != action.scope]
    client = harness.token_client(acme, scopes=scopes, user=people["owner"])

    response = harness.perform(client, endpoint, action, obj)

    assert response.status_code == 403, response.content
    assert harness.problem_type(response) == "/problems/insufficient-scope"
    assert response.json()["required_scopes"] == [action.scope]


@pytest.mark.parametrize(("endpoint", "action"), harness.cases())
def test_no_credentials_is_401(endpoint, action, anon_client, acme, people, target):
    obj = target(endpoint)

    response = harness.perform(anon_client, endpoint, action, obj)

    assert response.status_code == 401, response.content
    assert harness.problem_type(response) == "/problems/not-authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
