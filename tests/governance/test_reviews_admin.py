"""The review page of the staff console: changelog by level, both documents side by side, the
tenants each breaking change would hit, and approve / reject / waive / merge."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from governance.models import LifecycleState, Review, Waiver
from tenants.models import AuditEvent
from tests.governance.conftest import make_version, spec, submit
from tests.governance.test_reviews import NOT_OPENAPI, usage

pytestmark = pytest.mark.django_db
S = LifecycleState


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def review(payments):
    version = make_version(payments, "v2", S.ACTIVE, spec("payments_v2.yaml"))
    return submit(version, spec("payments_v2_proposed.yaml"))


def page_url(review):
    return f"/admin/governance/review/{review.pk}/change/"


def test_the_page_groups_findings_and_shows_both_documents(review, reviewer, acme, globex):
    usage(acme, "GET /charges/{id}", 120)
    usage(globex, "GET /charges/{id}", 3, version="v1")  # another version: not shown
    html = signed_in(reviewer).get(page_url(review)).content.decode()

    assert html.index('id="level-ERR"') < html.index('id="level-WARN"') < html.index('id="level-INFO"')
    assert "ERR — 4 findings" in html
    removed = review.findings.get(rule_id="api-path-removed-without-deprecation")
    block = html[html.index(f'id="finding-{removed.pk}"') :]
    block = block[: block.index('class="finding', 10)] if 'class="finding' in block[10:] else block
    assert "/paths/~1charges~1{id}/get" in block
    assert "&quot;operationId&quot;: &quot;getCharge&quot;" in block  # the published side, escaped JSON
    assert "Acme (acme): 120 calls" in block
    assert "Globex" not in block


def test_excerpts_are_escaped(payments, reviewer):
    version = make_version(payments, "v1", S.PREVIEW, spec("payments_v1.yaml"))
    hostile = spec("payments_v1.yaml").replace(b"summary: One charge", b"summary: <script>alert(1)</script>")
    hostile = hostile.replace(b"  /charges/{id}:", b"  /charges/{id}/x:")
    review = submit(version, hostile)
    html = signed_in(reviewer).get(page_url(review)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_failed_review_shows_the_engines_message(payments, reviewer):
    version = make_version(payments, "v1", S.PREVIEW, spec("payments_v1.yaml"))
    review = submit(version, NOT_OPENAPI)
    html = signed_in(reviewer).get(page_url(review)).content.decode()
    assert "The engine refused the document:" in html and "unsupported Swagger version" in html


def test_approve_waive_and_merge_from_the_page(review, reviewer, api_owner):
    reviewer_client, owner_client = signed_in(reviewer), signed_in(api_owner)
    reviewer_client.post(page_url(review), {"_approve": "1", "comment": "Looks right"})
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED and review.decision_comment == "Looks right"

    response = owner_client.post(page_url(review), {"_merge": "1"}, follow=True)
    assert "Merge refused" in response.content.decode() or "unwaived" in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED

    expires = (timezone.now() + timedelta(days=14)).strftime("%Y-%m-%d %H:%M")
    for finding in review.findings.filter(level="ERR"):
        reviewer_client.post(
            page_url(review),
            {"_waive": "1", "finding": finding.pk, "reason": "Partners moved off it", "expires_at": expires},
        )
    assert Waiver.objects.filter(finding__review=review).count() == 4
    assert AuditEvent.objects.across_tenants().filter(action="waiver.created", actor=reviewer).count() == 4

    owner_client.post(page_url(review), {"_merge": "1"})
    review.refresh_from_db()
    assert review.status == Review.Status.MERGED
    assert review.version.published_revision_id == review.revision_id


def test_only_reviewers_decide(review, api_owner, other_owner):
    for user in (api_owner, other_owner):
        signed_in(user).post(page_url(review), {"_approve": "1"})
    review.refresh_from_db()
    assert review.status == Review.Status.READY


def test_rejecting_without_a_comment_is_refused(review, reviewer):
    response = signed_in(reviewer).post(page_url(review), {"_reject": "1", "comment": ""}, follow=True)
    assert "Say why the review is rejected." in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.READY


def test_an_owner_uploads_a_spec_in_the_admin(payments, api_owner):
    version = make_version(payments, "v2", S.ACTIVE, spec("payments_v2.yaml"))
    upload = io.BytesIO(spec("payments_v2_proposed.yaml"))
    upload.name = "openapi.yaml"
    response = signed_in(api_owner).post("/admin/governance/review/add/", {"version": version.pk, "spec": upload})
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.revision.source == "upload" and review.revision.author == api_owner


def test_the_upload_form_offers_only_owned_versions(payments, other_owner):
    make_version(payments, "v2", S.ACTIVE, spec("payments_v2.yaml"))
    html = signed_in(other_owner).get("/admin/governance/review/add/").content.decode()
    assert "payments v2" not in html
