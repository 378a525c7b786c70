"""``manage.py apidiff diff BASE REVISION [...]``: the OpenAPI diff CLI as a management command.

Takes exactly the arguments of ``python -m governance.openapi`` (they are handed unparsed to
``governance.openapi.cli.main``) and exits with its status: 0 nothing at/above ``--fail-on``,
1 something is, 2 unusable input or arguments (one line on stderr).
"""

from __future__ import annotations

import argparse
import io

from django.core.management.base import BaseCommand

from governance.openapi.cli import main


class Command(BaseCommand):
    help = (
        "Compare two OpenAPI 3.x specs (oasdiff rule ids): apidiff diff BASE REVISION "
        "[--format text|json|markdown|html] [--min-level ...] [--fail-on WARN|ERR] [...]"
    )
    requires_system_checks = []  # pure file comparison: no models, no database

    def add_arguments(self, parser):
        parser.add_argument(
            "cli_args",
            nargs=argparse.REMAINDER,
            help="the arguments of python -m governance.openapi (e.g. diff BASE REVISION)",
        )

    def run_from_argv(self, argv):
        # manage.py apidiff ...: skip Django's option parsing entirely, so every CLI argument
        # (including ones Django's parser would claim) reaches the engine's own parser.
        raise SystemExit(self._run(list(argv[2:])))

    def handle(self, *args, cli_args=(), **options):
        code = self._run(list(args) + list(cli_args))
        if code:
            raise SystemExit(code)

    def _run(self, argv) -> int:
        out, err = io.StringIO(), io.StringIO()
        code = main(argv, stdout=out, stderr=err)
        if out.getvalue():
            self.stdout.write(out.getvalue(), ending="")
        if err.getvalue():
            self.stderr.write(err.getvalue(), ending="")
        return code
