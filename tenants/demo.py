"""The tenants app's part of `seed_demo`: the platform superuser, the demo people, the two tenants,
their memberships and one OAuth client each (with a secret derivable from SECRET_KEY, so
`seed_demo --credentials` can print it at any time). Each step creates only what is missing."""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.hashers import check_password

from tenants import audit, services
from tenants.backends import SEEDED_ADMIN_ALIAS, SEEDED_ADMIN_EMAIL
from tenants.models import Application, Membership, Tenant, User
from tenants.principal import Principal
from tenants.roles import Role

ADMIN_PASSWORD = "admin"
DEMO_PASSWORD = "demo-pass-123"

DEMO_TENANTS = [
    # slug, name, plan
    ("acme", "Acme Corporation", Tenant.Plan.STANDARD),
    ("globex", "Globex", Tenant.Plan.FREE),
]
DEMO_MEMBERS = [
    # e-mail, full name, tenant slug, role
    ("alice@acme.test", "Alice Owner", "acme", Role.OWNER),
    ("bob@acme.test", "Bob Developer", "acme", Role.DEVELOPER),
    ("victor@acme.test", "Victor Viewer", "acme", Role.VIEWER),
    ("carol@globex.test", "Carol Owner", "globex", Role.OWNER),
]
DEMO_CLIENT_SCOPES = ["tenant:read", "members:read", "clients:read", "audit:read"]


def demo_client_name(tenant_slug: str) -> str:
    return f"{tenant_slug} demo client"


def demo_client_secret(tenant_slug: str) -> str:
    """The demo client's secret, derived from SECRET_KEY: the stored hash can't be read back, but
    this can be recomputed whenever the credentials are printed, and differs per installation."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"seed_demo:oauth-client:{tenant_slug}".encode(), hashlib.sha256
    ).hexdigest()
    return f"demo-{tenant_slug}-{digest[:40]}"


def seed_admin(seeding):
    if User.objects.filter(email__iexact=SEEDED_ADMIN_EMAIL).exists():
        return seeding.kept(f"superuser {SEEDED_ADMIN_EMAIL}")
    user = User.objects.create_superuser(email=SEEDED_ADMIN_EMAIL, password=ADMIN_PASSWORD, full_name="Console Admin")
    audit.record(
        action="user.created",
        actor=Principal.system(),
        target=user,
        changes={"email": user.email, "is_superuser": True, "source": "seed_demo"},
    )
    seeding.created(f"superuser {SEEDED_ADMIN_EMAIL} (sign in as `{SEEDED_ADMIN_ALIAS}`)")


def seed_users(seeding):
    for email, full_name, _slug, _role in DEMO_MEMBERS:
        if User.objects.filter(email__iexact=email).exists():
            seeding.kept(f"user {email}")
            continue
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
        audit.record(
            action="user.created",
            actor=Principal.system(),
            target=user,
            changes={"email": email, "source": "seed_demo"},
        )
        seeding.created(f"user {email}")


def seed_tenants(seeding):
    for slug, name, plan in DEMO_TENANTS:
        if Tenant.objects.filter(slug=slug).exists():
            seeding.kept(f"tenant {slug}")
            continue
        services.create_tenant(actor=Principal.system(), slug=slug, name=name, plan=plan)
        seeding.created(f"tenant {slug}")


def seed_memberships(seeding):
    for email, _name, slug, role in DEMO_MEMBERS:
        tenant = Tenant.objects.get(slug=slug)
        user = User.objects.get(email__iexact=email)
        # A demo member whose role was changed since is left as it is: the data is the user's now.
        if Membership.objects.filter(tenant=tenant, user=user).exists():
            seeding.kept(f"membership {email} in {slug}")
            continue
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
        audit.record(
            action="member.added",
            actor=Principal.system(tenant),
            tenant=tenant,
            target=membership,
            changes={"user": email, "role": role, "source": "seed_demo"},
        )
        seeding.created(f"membership {email} in {slug} as {role}")


def seed_oauth_clients(seeding):
    for slug, _name, _plan in DEMO_TENANTS:
        tenant = Tenant.objects.get(slug=slug)
        secret = demo_client_secret(slug)
        app = Application.objects.filter(tenant=tenant, name=demo_client_name(slug)).first()
        if app is None:
            app, _random_secret = services.create_oauth_client(
                actor=Principal.system(tenant),
                name=demo_client_name(slug),
                authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
                allowed_scopes=DEMO_CLIENT_SCOPES,
            )
            seeding.created(f"OAuth client {app.client_id} of {slug}")
        elif check_password(secret, app.client_secret):
            seeding.kept(f"OAuth client {app.client_id} of {slug}")
            continue
        else:
            seeding.created(f"secret of OAuth client {app.client_id} of {slug} (SECRET_KEY changed)")
        # Replace the service's random secret with the derivable one (the toolkit hashes it on
        # save), so `--credentials` can print it at any time. Also repairs it after SECRET_KEY changed.
        app.client_secret = secret
        app.save(update_fields=["client_secret", "updated"])


SEED_STEPS = [seed_admin, seed_users, seed_tenants, seed_memberships, seed_oauth_clients]
