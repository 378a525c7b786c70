"""`manage.py submit_spec --api SLUG --version V FILE`: submit an OpenAPI document for review from CI.

Prints the review id. With --wait the engine runs now, in this process (as it does whenever tasks
run eagerly), and the summary is printed: status, ERR / WARN / INFO counts and each breaking change.
Exit status: 0 submitted (and, with --wait, analysed); 1 refused (unknown API or version, size
limit, not an owner, the engine refused the document); 2 with --wait and --fail-on-breaking when
breaking changes were found.

The actor is --as EMAIL (an owner of the API or a platform admin), else the system: a deploy
pipeline running manage.py already holds the database credentials.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from governance.models import ApiVersion, Review, SpecRevision
from governance.openapi.report import printable
from governance.services import reviews as review_services
from tenants.models import User
from tenants.principal import Principal
from tenants.services.errors import NotAllowed


class Command(BaseCommand):
    help = "Submit an OpenAPI document for review of an API version."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version V` names the API version (as CI scripts write it); Django's own --version
        # (the Django release) gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="The OpenAPI document (YAML or JSON); '-' reads standard input.")
        parser.add_argument("--api", required=True, help="The API's slug.")
        parser.add_argument("--version", dest="label", required=True, help='The version label, e.g. "v2".')
        parser.add_argument("--as", dest="actor_email", help="Submit as this user (must own the API).")
        parser.add_argument("--wait", action="store_true", help="Analyse now and print the summary.")
        parser.add_argument(
            "--fail-on-breaking", action="store_true", help="With --wait: exit 2 when the review has ERR findings."
        )

    def handle(self, *args, file, api, label, actor_email=None, wait=False, fail_on_breaking=False, **options):
        version = ApiVersion.objects.select_related("api").filter(api__slug=api, version=label).first()
        if version is None:
            raise CommandError(f"No version {label!r} of an API {api!r} in the catalog.")
        actor = self.actor(actor_email)
        document = self.read(file)
        try:
            with transaction.atomic():
                review = review_services.submit_spec(
                    actor=actor, version=version, document=document, source=SpecRevision.Source.CLI
                )
        except NotAllowed as exc:
            raise CommandError(str(exc.detail)) from None
        except (review_services.SpecTooLarge, review_services.SpecNotText) as exc:
            raise CommandError(str(exc.detail)) from None
        self.stdout.write(f"Review #{review.pk} submitted for {version}.")
        if not wait:
            return
        # The task ran on commit if tasks are eager; otherwise analyse here (idempotent either way).
        review_services.analyse_review(review_id=review.pk)
        review = Review.objects.get(pk=review.pk)
        # Findings and errors quote the document: its control characters are shown, not sent to the terminal.
        if review.status == Review.Status.FAILED:
            raise CommandError(f"Review #{review.pk} failed: {printable(review.error)}")
        summary = review.summary
        self.stdout.write(
            f"Status: {review.status}. {summary.get('ERR', 0)} ERR, {summary.get('WARN', 0)} WARN, "
            f"{summary.get('INFO', 0)} INFO."
        )
        for finding in review.findings.filter(level="ERR").order_by("id"):
            where = f"{finding.operation} {finding.path}".strip()
            self.stdout.write(printable(f"  ERR {finding.rule_id} {where}: {finding.text}"))
        if fail_on_breaking and summary.get("ERR", 0):
            raise CommandError(f"Review #{review.pk} has breaking changes.", returncode=2)

    def actor(self, email):
        if not email:
            return Principal.system()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email}.")
        return Principal.for_staff(user)

    def read(self, file) -> bytes:
        import sys

        limit = review_services.max_spec_bytes()
        try:
            if file == "-":
                data = sys.stdin.buffer.read(limit + 1)
            else:
                with open(file, "rb") as handle:
                    data = handle.read(limit + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from None
        if len(data) > limit:
            raise CommandError(f"{file} is over the size limit of {limit} bytes.")
        return data
