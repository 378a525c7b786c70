"""`seed_demo`: the demo data `make run` serves, idempotent, refused on a production-like setup,
with credentials that really work (the staff `admin` / `admin`, the members, the OAuth clients)."""

import base64
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tenants.models import Application, AuditEvent, Membership, Tenant, User
from tenants.roles import Role

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Every row of every model of the project's apps, as comparable tuples."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in ("tenants", "oauth2_provider", "auth", "apikeys", "governance"):
            rows[model._meta.label] = sorted(map(repr, model._base_manager.order_by().values_list()))
    return rows


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def test_seed_demo_creates_the_documented_accounts(debug):
    seed()
    admin = User.objects.get(email="admin@console.test")
    assert admin.is_superuser and admin.is_staff and admin.check_password("admin")
    assert set(Tenant.objects.values_list("slug", flat=True)) == {"acme", "globex"}
    expected = {
        ("alice@acme.test", "acme", Role.OWNER),
        ("bob@acme.test", "acme", Role.DEVELOPER),
        ("victor@acme.test", "acme", Role.VIEWER),
        ("carol@globex.test", "globex", Role.OWNER),
    }
    assert set(Membership.objects.across_tenants().values_list("user__email", "tenant__slug", "role")) == expected
    for email, _slug, _role in expected:
        assert User.objects.get(email=email).check_password("demo-pass-123")
    for slug in ("acme", "globex"):
        client = Application.objects.across_tenants().get(tenant__slug=slug)
        assert client.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
        assert "tenant:read" in client.allowed_scopes
    assert AuditEvent.objects.across_tenants().filter(action="tenant.created").count() == 2
    call_command("verify_audit", stdout=StringIO())


def test_seed_demo_twice_changes_nothing(debug):
    seed()
    first = snapshot()
    output = seed()
    assert snapshot() == first
    assert "0 created" in output


def test_seed_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed("--credentials")
    assert not User.objects.exists() and not Tenant.objects.exists()
    seed("--force")
    assert Tenant.objects.count() == 2


def test_the_printed_client_credentials_get_a_token(debug, client):
    seed()
    block = seed("--credentials")
    acme = Application.objects.across_tenants().get(tenant__slug="acme")
    assert acme.client_id in block
    secret = re.search(r"client_secret (\S+)", block).group(1)
    basic = base64.b64encode(f"{acme.client_id}:{secret}".encode()).decode()
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials", "scope": "tenant:read"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "tenant:read"


def test_the_credentials_block_names_every_login(debug):
    seed()
    block = seed("--credentials")
    for text in (
        "/admin/",
        "/portal/",
        "/api/v1/docs/",
        "admin / admin",
        "demo-pass-123",
        "alice@acme.test",
        "bob@acme.test",
        "victor@acme.test",
        "carol@globex.test",
    ):
        assert text in block


def test_the_seeded_admin_signs_in_to_the_staff_console_as_admin(debug, client):
    seed()
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "admin"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_alias_needs_the_right_password_and_names_only_the_seeded_account(debug, client):
    seed()
    assert client.post("/admin/login/", {"username": "admin", "password": "wrong"}).status_code == 200
    # Another account's password does not open the alias.
    assert client.post("/admin/login/", {"username": "admin", "password": "demo-pass-123"}).status_code == 200
    assert "_auth_user_id" not in client.session
    # With no seeded admin, `admin` names nobody.
    User.objects.filter(email="admin@console.test").delete()
    assert client.post("/admin/login/", {"username": "admin", "password": "admin"}).status_code == 200
    assert "_auth_user_id" not in client.session
