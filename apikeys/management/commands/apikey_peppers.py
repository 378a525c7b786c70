"""`manage.py apikey_peppers`: how many API keys are still stored under each pepper version.

A pepper rotation (platform/README.md, "Rotate secrets") is done when every key that can still
authenticate is under the current pepper: a key moves on its next use (apikeys/services/peppers.py).
Exit status 0 then; 1 while some are under an older pepper (keep it configured); 2 when some are
under a version that is no longer configured: those keys can't authenticate until it is put back.
Revoked and expired keys never authenticate again, so they never move: counted apart, they don't
hold a rotation back.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apikeys.models import ApiKey

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Count API keys per pepper version (APIKEY_PEPPERS); exit non-zero while some aren't on the current one."

    def add_arguments(self, parser):
        parser.add_argument("--by-tenant", action="store_true", help="Break the counts down by tenant.")

    def handle(self, *args, by_tenant=False, **options):
        current, configured = settings.APIKEY_PEPPER_CURRENT, settings.APIKEY_PEPPERS
        every_key = ApiKey.objects.across_tenants()  # an operator's report on the whole console
        usable = every_key.usable().count_by_pepper_version(by_tenant=by_tenant)
        retired = sum(
            row["keys"]
            for row in every_key.exclude(pk__in=every_key.usable().values("pk")).count_by_pepper_version()
            if row["pepper_version"] != current
        )
        self.stdout.write(
            f"Current pepper: version {current} (configured: {', '.join(str(v) for v in sorted(configured, reverse=True))})."
        )
        self.stdout.write("Keys that can authenticate, by pepper version:" if usable else "No key can authenticate.")
        behind = unknown = 0
        for row in usable:
            version, count = row["pepper_version"], row["keys"]
            if version == current:
                note = "current"
            elif version in configured:
                behind += count
                note = "moves to the current pepper on its next use"
            else:
                unknown += count
                note = "NOT CONFIGURED: these keys can't authenticate"
            tenant = f"  {row['tenant__slug']}" if by_tenant else ""
            self.stdout.write(f"  version {version}{tenant}: {count} ({note})")
        if retired:
            self.stdout.write(
                f"Revoked or expired keys under other peppers: {retired} (they never authenticate again, so they "
                "never move; they don't hold the rotation back)."
            )
        log.info(
            "API key pepper report: %s behind, %s on unconfigured peppers",
            behind,
            unknown,
            extra={"event": "apikey.pepper_report", "current": current, "behind": behind, "unconfigured": unknown},
        )
        if unknown:
            raise CommandError(
                f"{unknown} usable key(s) are under a pepper version that is not configured: put that pepper back "
                "into APIKEY_PEPPERS.",
                returncode=2,
            )
        if behind:
            raise CommandError(
                f"{behind} usable key(s) are still under older peppers: keep those peppers configured.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"Every usable key is under the current pepper (version {current})."))
