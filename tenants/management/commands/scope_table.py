"""Print the role x scope table of the README: which tenant role may put which scope on an API key
or an OAuth client (tenants.roles.SCOPE_GRANT_PERMISSIONS)."""

from django.core.management.base import BaseCommand

from tenants.roles import scope_table_markdown


class Command(BaseCommand):
    help = "Print the role x scope grant table (Markdown), as the README shows it."

    def handle(self, *args, **options):
        self.stdout.write(scope_table_markdown(), ending="")
