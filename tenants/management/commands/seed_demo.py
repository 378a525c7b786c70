"""`manage.py seed_demo`: the demo data `make run` serves, created once and left alone after that.

The data comes from one `demo` module per app (tenants/demo.py, apikeys/demo.py, governance/demo/),
each a list of SEED_STEPS run in DEMO_APPS order inside one transaction. Each step makes sure its
rows exist and creates only what is missing, so a second run changes nothing (no duplicate, no reset
password, no new audit event). Writes go through the services where one exists, so the demo tenants
start with an audit trail like any other.

`--credentials` prints what a person needs to try the console (it is what `make run` shows).
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tenants.backends import SEEDED_ADMIN_ALIAS, SEEDED_ADMIN_EMAIL
from tenants.demo import ADMIN_PASSWORD, DEMO_MEMBERS, DEMO_PASSWORD, DEMO_TENANTS, demo_client_name, demo_client_secret
from tenants.models import Application

# The apps whose `<app>.demo.SEED_STEPS` make the demo data, in order (later apps use earlier rows).
DEMO_APPS = ("tenants", "apikeys", "governance")


def seed_steps() -> list:
    return [step for app in DEMO_APPS for step in import_module(f"{app}.demo").SEED_STEPS]


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


# --- the command --------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Create the demo tenants, users and OAuth clients (idempotent; DEBUG only unless --force)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have well-known passwords).",
        )
        parser.add_argument(
            "--credentials", action="store_true", help="Only print the demo URLs, logins, passwords and OAuth clients."
        )

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
            for step in seed_steps():
                step(seeding)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(seeding.created_rows)} created, {len(seeding.kept_rows)} already there."
            )
        )

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
        clients = (
            Application.objects.across_tenants()  # the demo tenants' clients, for the printout
            .filter(
                tenant__slug__in=[slug for slug, _n, _p in DEMO_TENANTS],
                name__in=[demo_client_name(slug) for slug, _n, _p in DEMO_TENANTS],
            )
            .select_related("tenant")
            .order_by("tenant__slug")
        )
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
