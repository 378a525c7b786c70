"""`manage.py verify_audit`: walk every audit hash chain and report the first broken link.

Exit status 0 when every chain is intact, 1 when one is broken (so cron or CI can alert on it).
"""

from django.core.management.base import BaseCommand, CommandError

from tenants.audit import verify_all


class Command(BaseCommand):
    help = "Verify the hash chains of the audit trail; exit non-zero at the first broken link."

    def handle(self, *args, **options):
        checked, problems = verify_all()
        if problems:
            # verify_all stops each chain at its first broken link and reports that link.
            self.stderr.write(f"Checked {checked} audit events; first broken link: {problems[0]}")
            for problem in problems[1:]:
                self.stderr.write(f"Also broken: {problem}")
            raise CommandError(f"The audit trail is broken in {len(problems)} chain(s).", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} events checked."))
