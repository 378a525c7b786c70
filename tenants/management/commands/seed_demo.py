"""`manage.py seed_demo`: the demo data `make run` serves, created once and left alone after that.

Each seed step makes sure its rows exist and creates only what is missing, so a second run changes
nothing (no duplicate, no reset password, no new audit event). Later issues add demo data by
appending a step to SEED_STEPS. Writes go through the services where one exists, so the demo
tenants start with an audit trail like any other.

`--credentials` prints what a person needs to try the console (it is what `make run` shows).
"""

import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apikeys import demo as apikeys_demo
from governance import demo as governance_demo
from governance import demo_deprecations
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
    digest = hmac.new(settings.SECRET_KEY.encode(), f"seed_demo:oauth-client:{tenant_slug}".encode(),
                      hashlib.sha256).hexdigest()
    return f"demo-{tenant_slug}-{digest[:40]}"


@dataclass
class Seeding:
    """What a run did, for the summary line; steps call created() or kept()."""

    command: BaseCommand
    verbosity: int = 1
    created_rows: list[str] = field(default_factory=list)
    kept_rows: list[str] = field(default_factory=list)

    def created(self, label: str):
        self.created_rows.append(label)
        if self.verbosity >= 1:
            self.command.stdout.write(f"  created {label}")

    def kept(self, label: str):
        self.kept_rows.append(label)
        if self.verbosity >= 2:
            self.command.stdout.write(f"  exists  {label}")


# --- seed steps ---------------------------------------------------------------------------------


def seed_admin(seeding: Seeding):
    if User.objects.filter(email__iexact=SEEDED_ADMIN_EMAIL).exists():
        return seeding.kept(f"superuser {SEEDED_ADMIN_EMAIL}")
    user = User.objects.create_superuser(email=SEEDED_ADMIN_EMAIL, password=ADMIN_PASSWORD, full_name="Console Admin")
    audit.record(action="user.created", actor=Principal.system(), target=user,
                 changes={"email": user.email, "is_superuser": True, "source": "seed_demo"})
    seeding.created(f"superuser {SEEDED_ADMIN_EMAIL} (sign in as `{SEEDED_ADMIN_ALIAS}`)")


def seed_users(seeding: Seeding):
    for email, full_name, _slug, _role in DEMO_MEMBERS:
        if User.objects.filter(email__iexact=email).exists():
            seeding.kept(f"user {email}")
            continue
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
        audit.record(action="user.created", actor=Principal.system(), target=user,
                     changes={"email": email, "source": "seed_demo"})
        seeding.created(f"user {email}")


def seed_tenants(seeding: Seeding):
    for slug, name, plan in DEMO_TENANTS:
        if Tenant.objects.filter(slug=slug).exists():
            seeding.kept(f"tenant {slug}")
            continue
        services.create_tenant(actor=Principal.system(), slug=slug, name=name, plan=plan)
        seeding.created(f"tenant {slug}")


def seed_memberships(seeding: Seeding):
    for email, _name, slug, role in DEMO_MEMBERS:
        tenant = Tenant.objects.get(slug=slug)
        user = User.objects.get(email__iexact=email)
        # A demo member whose role was changed since is left as it is: the data is the user's now.
        if Membership.objects.filter(tenant=tenant, user=user).exists():
            seeding.kept(f"membership {email} in {slug}")
            continue
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
        audit.record(action="member.added", actor=Principal.system(tenant), tenant=tenant, target=membership,
                     changes={"user": email, "role": role, "source": "seed_demo"})
        seeding.created(f"membership {email} in {slug} as {role}")


def seed_oauth_clients(seeding: Seeding):
    for slug, _name, _plan in DEMO_TENANTS:
        tenant = Tenant.objects.get(slug=slug)
        secret = demo_client_secret(slug)
        app = Application.objects.filter(tenant=tenant, name=demo_client_name(slug)).first()
        if app is None:
            app, _random_secret = services.create_oauth_client(
                actor=Principal.system(tenant), name=demo_client_name(slug),
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


# Later issues append their steps (API keys, catalog, deprecations, ...). Order matters.
SEED_STEPS = [seed_admin, seed_users, seed_tenants, seed_memberships, seed_oauth_clients]
SEED_STEPS += apikeys_demo.SEED_STEPS  # an API key for acme (apikeys/demo.py)
SEED_STEPS += governance_demo.SEED_STEPS  # catalog, lifecycle states, reviews (governance/demo.py)
SEED_STEPS += demo_deprecations.SEED_STEPS  # brownout, traffic to the old version, notices, ledger


# --- the command --------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Create the demo tenants, users and OAuth clients (idempotent; DEBUG only unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off (the demo accounts have well-known passwords).")
        parser.add_argument("--credentials", action="store_true",
                            help="Only print the demo URLs, logins, passwords and OAuth clients.")

    def handle(self, *args, force=False, credentials=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: refusing to create demo accounts with well-known passwords. "
                "Use --force if you really want them on this installation."
            )
        if credentials:
            self.stdout.write(self.credentials_block())
            return
        seeding = Seeding(self, verbosity=options.get("verbosity", 1))
        with transaction.atomic():
            for step in SEED_STEPS:
                step(seeding)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(seeding.created_rows)} created, {len(seeding.kept_rows)} already there."
        ))

    def credentials_block(self) -> str:
        site = settings.SITE_URL
        lines = [
            "",
            "API governance console — demo credentials",
            "=" * 60,
            f"  Console (portal)   {site}/portal/",
            f"  Staff console      {site}/admin/      {SEEDED_ADMIN_ALIAS} / {ADMIN_PASSWORD}"
            f"  (or {SEEDED_ADMIN_EMAIL})",
            f"  API docs           {site}/api/v1/docs/",
            f"  OAuth token URL    {site}/o/token/",
            "",
            f"  Members (password {DEMO_PASSWORD}):",
        ]
        lines += [f"    {email:<22} {role:<10} of {slug}" for email, _n, slug, role in DEMO_MEMBERS]
        lines += ["", "  OAuth clients (client credentials):"]
        clients = Application.objects.filter(
            tenant__slug__in=[slug for slug, _n, _p in DEMO_TENANTS],
            name__in=[demo_client_name(slug) for slug, _n, _p in DEMO_TENANTS],
        ).select_related("tenant").order_by("tenant__slug")
        for app in clients:
            lines += [
                f"    {app.tenant.slug}: client_id     {app.client_id}",
                f"    {' ' * len(app.tenant.slug)}  client_secret {demo_client_secret(app.tenant.slug)}",
                f"    {' ' * len(app.tenant.slug)}  scopes        {' '.join(app.allowed_scopes)}",
            ]
        if not clients:
            lines.append("    (none yet: run `python manage.py seed_demo`)")
        lines += [
            "",
            "  Try it:",
            f"    curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials {site}/o/token/",
            "=" * 60,
            "",
        ]
        return "\n".join(lines)
