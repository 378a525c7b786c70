"""Reviews: the engine task, hostile documents, decisions, waivers, merge and its guard, and the
tenants a breaking change would hit."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.models import UsageRecord
from governance.models import LifecycleState, Review
from governance.services import reviews as review_services
from governance.services.reviews import ReviewError
from governance.tasks import reviews as tasks
from tenants.models import AuditEvent
from tenants.principal import Principal
from tenants.services.errors import NotAllowed
from tests.governance.conftest import decide, make_version, spec, submit

pytestmark = pytest.mark.django_db
S = LifecycleState

ALIAS_BOMB = b"""openapi: 3.0.0
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
DEEP_JSON = (
    b'{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": {}, "x": '
    + b"[" * 5000
    + b"]" * 5000
    + b"}"
)
DEEP_YAML = b"openapi: 3.0.0\nx: " + b"[" * 5000 + b"]" * 5000 + b"\n"
NOT_OPENAPI = b"swagger: '1.2'\ninfo: {title: old, version: '1'}\npaths: {}\n"
NOT_YAML = b"openapi: 3.0.0\npaths: {\n  - ]: ["
HOSTILE = {
    "alias-bomb": ALIAS_BOMB,
    "deep-json": DEEP_JSON,
    "deep-yaml": DEEP_YAML,
    "swagger-2": NOT_OPENAPI,
    "broken-yaml": NOT_YAML,
    "scalar": b"42\n",
}


@pytest.fixture
def v2_active(payments):
    return make_version(payments, "v2", S.ACTIVE, spec("payments_v2.yaml"))


# --- the engine task ----------------------------------------------------------------------------------


def test_a_review_compares_with_the_published_revision_and_stores_findings(v2_active):
    review = submit(v2_active, spec("payments_v2_proposed.yaml"))

    assert review.status == Review.Status.READY
    assert review.base_revision_id == v2_active.published_revision_id
    assert review.summary["ERR"] == 4 and review.summary["first_publication"] is False
    found = set(review.findings.values_list("level", "rule_id", "operation", "path"))
    assert ("ERR", "api-path-removed-without-deprecation", "GET", "/charges/{id}") in found
    assert ("ERR", "new-required-request-property", "POST", "/charges") in found
    removed = review.findings.get(rule_id="api-path-removed-without-deprecation")
    assert removed.base_pointer == "/paths/~1charges~1{id}/get" and removed.revision_pointer == ""


def test_the_task_runs_on_commit_and_is_idempotent(v2_active, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = submit(v2_active, spec("payments_v2_proposed.yaml"), analyse=False)
    review.refresh_from_db()
    assert review.status == Review.Status.READY
    count = review.findings.count()

    assert tasks.analyse_review.apply(args=[review.pk]).get() == "ready"  # a duplicate delivery
    assert review.findings.count() == count
    assert tasks.analyse_review.apply(args=[987654]).get() == "missing"


def test_the_task_is_acks_late_and_retried_on_database_errors():
    task = tasks.analyse_review
    assert task.acks_late is True
    from django.db import DatabaseError

    assert DatabaseError in task.autoretry_for


def test_a_first_publication_is_diffed_against_an_empty_document(payments):
    version = make_version(payments, "v3")
    review = submit(version, spec("payments_v2.yaml"))
    assert review.status == Review.Status.READY and review.base_revision is None
    assert review.summary["first_publication"] is True
    assert review.findings.filter(rule_id="endpoint-added").count() == 4


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_document_fails_the_review_with_the_engines_message(v2_active, name):
    review = submit(v2_active, HOSTILE[name])
    assert review.status == Review.Status.FAILED
    assert review.error and "\n" not in review.error
    assert review.findings.count() == 0


def test_messages_name_the_problem(v2_active):
    assert "unsupported Swagger version '1.2'" in submit(v2_active, NOT_OPENAPI).error
    assert "nested too deeply" in submit(v2_active, DEEP_JSON).error
    assert "not valid YAML" in submit(v2_active, ALIAS_BOMB).error


def test_submission_refuses_oversize_and_binary_documents(v2_active, settings):
    settings.GOVERNANCE_MAX_SPEC_BYTES = 100
    with pytest.raises(review_services.SpecTooLarge):
        submit(v2_active, b"openapi: 3.0.0\n" + b"#" * 200)
    settings.GOVERNANCE_MAX_SPEC_BYTES = 10_000
    with pytest.raises(review_services.SpecNotText, match="not UTF-8"):
        submit(v2_active, b"\xff\xfe\x00o")
    assert not Review.objects.exists()


def test_submission_is_audited_with_hash_size_source_and_author(v2_active, api_owner):
    review = submit(v2_active, spec("payments_v2_proposed.yaml"), Principal.for_staff(api_owner), analyse=False)
    revision = review.revision
    assert revision.author == api_owner and revision.source == "cli"
    assert revision.size == len(spec("payments_v2_proposed.yaml")) and len(revision.content_hash) == 64
    event = AuditEvent.objects.across_tenants().get(action="review.submitted")
    assert event.actor == api_owner and event.changes["content_hash"] == revision.content_hash


def test_only_owners_submit(v2_active, other_owner, reviewer):
    for user in (other_owner, reviewer):
        with pytest.raises(NotAllowed):
            submit(v2_active, spec("payments_v2.yaml"), Principal.for_staff(user))


# --- decisions -----------------------------------------------------------------------------------------


def test_reviewers_approve_and_reject_with_comments(v2_active, reviewer, api_owner):
    review = submit(v2_active, spec("payments_v2_proposed.yaml"))
    with pytest.raises(NotAllowed):
        decide(review, actor=Principal.for_staff(api_owner))  # owners don't review their own changes
    review = decide(review, "reject", Principal.for_staff(reviewer), "breaks GET /charges/{id}")
    assert review.status == Review.Status.REJECTED and review.decided_by == reviewer
    assert review.decision_comment == "breaks GET /charges/{id}"
    review = decide(review, "approve", Principal.for_staff(reviewer))
    assert review.status == Review.Status.APPROVED
    assert list(
        AuditEvent.objects.across_tenants()
        .filter(target_id=str(review.pk), action__in=["review.approved", "review.rejected"])
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["review.rejected", "review.approved"]


def test_a_rejection_needs_a_comment(v2_active):
    from django.core.exceptions import ValidationError

    review = submit(v2_active, spec("payments_v2_proposed.yaml"))
    with pytest.raises(ValidationError):
        decide(review, "reject", comment=" ")


def test_a_failed_or_pending_review_cannot_be_decided(v2_active):
    failed = submit(v2_active, NOT_OPENAPI)
    pending = submit(v2_active, spec("payments_v2.yaml"), analyse=False)
    for review in (failed, pending):
        with pytest.raises(ReviewError):
            decide(review)


# --- merge and waivers ------------------------------------------------------------------------------------


def merge(review, actor=None):
    with transaction.atomic():
        return review_services.merge_review(actor=actor or Principal.system(), review=review)


def waive(finding, actor=None, days=30, reason="Clients migrated, see ticket 42"):
    with transaction.atomic():
        return review_services.waive_finding(
            actor=actor or Principal.system(),
            finding=finding,
            reason=reason,
            expires_at=timezone.now() + timedelta(days=days),
        )


def test_merge_needs_an_approved_review(v2_active):
    review = submit(v2_active, spec("payments_v2.yaml").replace(b"2.0.0", b"2.0.1"))
    with pytest.raises(ReviewError, match="only an approved review can be merged"):
        merge(review)


def test_merge_is_refused_with_unwaived_errors_on_an_active_version(v2_active):
    review = decide(submit(v2_active, spec("payments_v2_proposed.yaml")))
    with pytest.raises(ReviewError, match="4 breaking changes .ERR. remain unwaived"):
        merge(review)
    v2_active.refresh_from_db()
    assert v2_active.published_revision_id == review.base_revision_id


def test_merge_goes_through_once_every_error_is_waived(v2_active, reviewer):
    review = decide(submit(v2_active, spec("payments_v2_proposed.yaml")))
    errors = list(review.findings.filter(level="ERR"))
    for finding in errors[:-1]:
        waive(finding, Principal.for_staff(reviewer))
    with pytest.raises(ReviewError, match="1 breaking change .ERR. remains unwaived"):
        merge(review)
    waive(errors[-1], Principal.for_staff(reviewer))

    merged = merge(review)

    assert merged.status == Review.Status.MERGED
    v2_active.refresh_from_db()
    assert v2_active.published_revision_id == review.revision_id
    assert AuditEvent.objects.across_tenants().filter(action="review.merged", target_id=str(review.pk)).exists()


def test_breaking_changes_merge_into_a_preview(payments):
    version = make_version(payments, "v2", S.PREVIEW, spec("payments_v2.yaml"))
    review = decide(submit(version, spec("payments_v2_proposed.yaml")))
    assert merge(review).status == Review.Status.MERGED


def test_an_expired_or_revoked_waiver_does_not_count(v2_active):
    review = decide(submit(v2_active, spec("payments_v2_proposed.yaml")))
    waivers = [waive(f, days=1) for f in review.findings.filter(level="ERR")]
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert review_services.unwaived_errors(review).count() == 4
        with pytest.raises(ReviewError, match="unwaived"):
            merge(review)
    with transaction.atomic():
        review_services.revoke_waiver(actor=Principal.system(), waiver=waivers[0])
    assert review_services.unwaived_errors(review).count() == 1


def test_a_waiver_is_audited_and_needs_reason_expiry_and_a_reviewer(v2_active, reviewer, api_owner):
    from django.core.exceptions import ValidationError

    review = submit(v2_active, spec("payments_v2_proposed.yaml"))
    finding = review.findings.filter(level="ERR").first()
    with pytest.raises(NotAllowed):
        waive(finding, Principal.for_staff(api_owner))
    with pytest.raises(ValidationError):
        waive(finding, Principal.for_staff(reviewer), reason="")
    with pytest.raises(ValidationError):
        waive(finding, Principal.for_staff(reviewer), days=-1)

    waiver = waive(finding, Principal.for_staff(reviewer))

    assert waiver.is_active and waiver.created_by == reviewer
    event = AuditEvent.objects.across_tenants().get(action="waiver.created")
    assert event.actor == reviewer and event.changes["rule_id"] == finding.rule_id
    assert event.changes["reason"] == "Clients migrated, see ticket 42"


def test_merge_refuses_a_stale_review(v2_active):
    first = decide(submit(v2_active, spec("payments_v2.yaml").replace(b"2.0.0", b"2.0.1")))
    second = decide(submit(v2_active, spec("payments_v2.yaml").replace(b"2.0.0", b"2.0.2")))
    merge(first)
    with pytest.raises(ReviewError, match="published revision changed"):
        merge(second)


def test_only_owners_merge(v2_active, reviewer, other_owner, api_owner):
    review = decide(submit(v2_active, spec("payments_v2.yaml").replace(b"2.0.0", b"2.0.1")))
    for user in (reviewer, other_owner):
        with pytest.raises(NotAllowed):
            merge(review, Principal.for_staff(user))
    assert merge(review, Principal.for_staff(api_owner)).status == Review.Status.MERGED


# --- the tenants a breaking change would hit ------------------------------------------------------------


def usage(tenant, operation, count, *, version="v2", api="payments", hours_ago=1, credential="oauth:x"):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)
    return UsageRecord.objects.create(
        tenant=tenant,
        credential=credential,
        api=api,
        version=version,
        operation=operation,
        status_class="2xx",
        hour=hour,
        count=count,
    )


def test_affected_tenants_in_one_query_with_the_right_counts(v2_active, acme, globex):
    review = submit(v2_active, spec("payments_v2_proposed.yaml"))
    usage(acme, "GET /charges/{id}", 100)
    usage(acme, "GET /charges/{id}", 20, hours_ago=30, credential="key:abc")  # another credential, same op
    usage(acme, "GET /payments/v2/charges/{id}", 5)  # behind the base path
    usage(globex, "POST /charges", 7)
    usage(globex, "GET /charges/{id}", 900, version="v1")  # other version: not counted
    usage(globex, "GET /charges/{id}", 900, api="catalog")  # other API: not counted
    usage(globex, "GET /charges/{id}", 900, hours_ago=24 * 31)  # older than 30 days
    usage(acme, "GET /charges", 50)  # an operation not broken
    findings = list(review.findings.all())
    review = Review.objects.select_related("version__api").get(pk=review.pk)

    with CaptureQueriesContext(connection) as queries:
        affected = review_services.affected_tenants(review, findings)
    assert len(queries) == 1

    by_rule = {f.rule_id: affected.get(f.pk) for f in findings}
    assert by_rule["api-path-removed-without-deprecation"] == [
        {"tenant_id": acme.pk, "slug": "acme", "name": "Acme", "calls": 125}
    ]
    assert by_rule["new-required-request-property"] == [
        {"tenant_id": globex.pk, "slug": "globex", "name": "Globex", "calls": 7}
    ]
    assert by_rule["request-property-became-required"] == []
    assert all(f.level == "ERR" for f in findings if f.pk in affected)
