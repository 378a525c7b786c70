"""`manage.py wait_for_database`: block until the database accepts connections (the container's
entrypoint runs it before every role), or fail after --timeout seconds with the last error."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection


class Command(BaseCommand):
    help = "Wait until the database accepts connections (used by platform/docker/entrypoint.sh)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=60.0, help="Give up after this many seconds.")

    def handle(self, *args, timeout=60.0, **options):
        deadline = time.monotonic() + timeout
        delay = 0.2
        while True:
            try:
                connection.ensure_connection()
            except OperationalError as exc:
                if time.monotonic() + delay > deadline:
                    raise CommandError(f"The database did not answer within {timeout:g}s: {exc}") from exc
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
                connection.close()
                continue
            connection.close()
            self.stdout.write("database ready")
            return
