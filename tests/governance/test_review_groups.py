"""Each change said once: a change in a shared component is one group on the review page and in the
review API, a waiver waives the group (every occurrence) and still covers the same change in the
next review of the version, and the page costs the same queries for 1 or many groups and stays
small for a real-world pair."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import ChangeGroup, LifecycleState, Review, Waiver
from governance.services import reviews as review_services
from governance.services.reviews import ReviewError
from tenants.principal import Principal
from tests.governance.conftest import decide, make_version, submit
from tests.governance.test_reviews import usage

pytestmark = pytest.mark.django_db
S = LifecycleState
REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "realworld"
PAGE_BYTES_LIMIT = 300_000


def schemas_spec(n: int, *, optional: int = 0, extra_path: bool = False) -> bytes:
    """`n` schemas S0.., each returned by GET /sK and GET /sK/{id}; the first `optional` of them no
    longer require `name` (one breaking change each, reached by two operations)."""
    paths, schemas = [], []
    for k in range(n):
        ref = f"{{$ref: '#/components/schemas/S{k}'}}"
        ok = f"responses: {{'200': {{description: ok, content: {{application/json: {{schema: {ref}}}}}}}}}"
        paths.append(f"  /s{k}:\n    get: {{operationId: list{k}, {ok}}}")
        param = "parameters: [{name: id, in: path, required: true, schema: {type: string}}]"
        paths.append(f"  /s{k}/{{id}}:\n    get: {{operationId: get{k}, {param}, {ok}}}")
        required = "[id]" if k < optional else "[id, name]"
        schemas.append(
            f"    S{k}:\n      type: object\n      required: {required}\n"
            "      properties: {id: {type: string}, name: {type: string}}"
        )
    if extra_path:
        paths.append("  /health:\n    get: {operationId: health, responses: {'204': {description: up}}}")
    return (
        "openapi: 3.0.3\ninfo: {title: Payments, version: '2.0.0'}\npaths:\n"
        + "\n".join(paths)
        + "\ncomponents:\n  schemas:\n"
        + "\n".join(schemas)
        + "\n"
    ).encode()


def signed_in(user, client_class=Client):
    client = client_class()
    client.force_login(user)
    return client


def page_url(review, page=None):
    return f"/admin/governance/review/{review.pk}/change/" + (f"?page={page}" if page else "")


def waive(group, actor, days=30):
    with transaction.atomic():
        return review_services.waive_group(
            actor=actor, group=group, reason="Partners moved off it", expires_at=timezone.now() + timedelta(days=days)
        )


def merge(review, actor=None):
    with transaction.atomic():
        return review_services.merge_review(actor=actor or Principal.system(), review=review)


@pytest.fixture
def v2_active(payments):
    return make_version(payments, "v2", S.ACTIVE, schemas_spec(3))


def test_a_shared_component_change_is_one_group_on_the_page_and_in_the_api(v2_active, reviewer, acme, globex):
    usage(acme, "GET /s0", 7)
    usage(globex, "GET /s0/{id}", 2)
    usage(globex, "GET /s1", 50)  # an operation the change does not reach
    review = submit(v2_active, schemas_spec(3, optional=1))

    group = review.groups.get(level="ERR")
    assert review.groups.filter(level="ERR").count() == 1
    assert group.occurrences == 2 == group.findings.count()
    assert sorted(group.operations) == ["GET /s0", "GET /s0/{id}"]
    assert review.summary["ERR"] == 2 and review.summary["groups"]["ERR"] == 1

    html = signed_in(reviewer).get(page_url(review)).content.decode()
    assert "ERR — 2 findings in 1 change" in html
    assert html.count('class="change-group') == 1
    block = html[html.index(f'id="group-{group.group_key}"') :]
    assert "Acme (acme): 7 calls" in block and "Globex (globex): 2 calls" in block  # not the 50 on /s1
    assert block.count('class="finding"') == 2  # both occurrences, behind the group's toggle
    assert block.index("<details>") < block.index('class="finding"')

    api = signed_in(reviewer, APIClient).get(f"/api/v1/apis/payments/versions/v2/reviews/{review.pk}/").json()
    assert api["group_count"] == 1
    [entry] = api["groups"]
    assert entry["id"] == group.group_key and entry["level"] == "ERR" and entry["occurrences"] == 2
    assert entry["origin"] == "#/components/schemas/S0/required/1" and entry["waived"] is False
    assert "`name` became optional" in entry["text"]
    assert len(api["findings"]) == 2


def test_a_group_waiver_lets_merge_pass_and_covers_the_same_change_in_the_next_review(v2_active, reviewer):
    first = decide(submit(v2_active, schemas_spec(3, optional=1)))
    with pytest.raises(ReviewError, match="1 breaking change .ERR. remains unwaived"):
        merge(first)
    waiver = waive(first.groups.get(level="ERR"), Principal.for_staff(reviewer))
    assert waiver.version == v2_active and review_services.unwaived_errors(first).count() == 0

    # the author resubmits with an unrelated addition: the same change, the same group key
    second = decide(submit(v2_active, schemas_spec(3, optional=1, extra_path=True)))
    assert second.groups.get(level="ERR").group_key == waiver.group_key
    html = signed_in(reviewer).get(page_url(second)).content.decode()
    assert f"on review #{first.pk}" in html and "<strong>waived</strong>" in html
    # a second breaking change is not covered by the first one's waiver
    third = submit(v2_active, schemas_spec(3, optional=2))
    assert list(review_services.unwaived_errors(third).values_list("origin", flat=True)) == [
        "#/components/schemas/S1/required/1"
    ]

    assert merge(second).status == Review.Status.MERGED


def test_a_revoked_waiver_or_one_of_another_version_covers_nothing(payments, v2_active, reviewer):
    review = submit(v2_active, schemas_spec(3, optional=1))
    v3 = make_version(payments, "v3", S.ACTIVE, schemas_spec(3))
    other = submit(v3, schemas_spec(3, optional=1))
    waiver = waive(other.groups.get(level="ERR"), Principal.for_staff(reviewer))

    assert review.groups.get(level="ERR").group_key == waiver.group_key
    assert review_services.unwaived_errors(review).count() == 1  # v3's waiver is no waiver for v2
    with transaction.atomic():
        review_services.revoke_waiver(actor=Principal.for_staff(reviewer), waiver=waiver)
    assert review_services.unwaived_errors(other).count() == 1


def test_waiving_from_the_page_covers_every_occurrence(v2_active, reviewer):
    review = submit(v2_active, schemas_spec(3, optional=1))
    group = review.groups.get(level="ERR")
    expires = (timezone.now() + timedelta(days=14)).strftime("%Y-%m-%d %H:%M")
    signed_in(reviewer).post(
        page_url(review), {"_waive": "1", "group": group.pk, "reason": "Partners moved off it", "expires_at": expires}
    )
    waiver = Waiver.objects.get()
    assert waiver.group == group and waiver.group_key == group.group_key
    assert ChangeGroup.objects.with_waived().get(pk=group.pk).waived is True


def test_the_page_costs_the_same_queries_for_one_and_many_groups(payments, reviewer, acme):
    client = signed_in(reviewer)

    def queries_for(n_changed):
        version = make_version(payments, f"v{n_changed}", S.ACTIVE, schemas_spec(40))
        review = submit(version, schemas_spec(40, optional=n_changed))
        usage(acme, "GET /s0", 3, version=version.version)
        waive(review.groups.filter(level="ERR").first(), Principal.for_staff(reviewer))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page_url(review))
        assert response.status_code == 200
        assert response.content.decode().count('class="change-group') == n_changed
        return len(queries)

    assert queries_for(1) == queries_for(30)


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="the real-world corpus is not checked out here")
def test_a_real_world_pair_pages_at_100_groups_under_300_kb(payments, reviewer):
    """OpenAI, three months apart (~230 changes in ~1,300 findings); Stripe is benchmarks/review_page.py."""
    base = (REALWORLD / "openai" / "2026-05-13.yaml").read_bytes()
    version = make_version(payments, "v2", S.ACTIVE, base)
    review = submit(version, (REALWORLD / "openai" / "2026-08-13.yaml").read_bytes())
    total = review.groups.count()
    assert review.status == Review.Status.READY and total > 200
    assert review.findings.filter(group__isnull=True).count() == 0

    client = signed_in(reviewer)
    first = client.get(page_url(review)).content
    assert len(first) < PAGE_BYTES_LIMIT
    html = first.decode()
    assert html.count('class="change-group') == 100
    assert html.index("level-counts") < html.index('id="level-ERR"')
    last_page = (total + 99) // 100
    last = client.get(page_url(review, last_page)).content.decode()
    assert last.count('class="change-group') == total - 100 * (last_page - 1)

    api = signed_in(reviewer, APIClient).get(f"/api/v1/apis/payments/versions/v2/reviews/{review.pk}/").json()
    assert api["group_count"] == total == len(api["groups"])
    assert [g["level"] for g in api["groups"]] == sorted(
        (g["level"] for g in api["groups"]), key=["ERR", "WARN", "INFO"].index
    )


def test_findings_stored_before_grouping_get_groups_and_their_waivers_follow(v2_active, reviewer):
    """The migration's backfill: the same group keys the engine gives, so an old waiver still covers
    the same change in a new review."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("governance.migrations.0004_change_groups").group_stored_findings
    old = submit(v2_active, schemas_spec(3, optional=1))
    engine_keys = set(old.groups.values_list("group_key", flat=True))
    finding = old.findings.get(level="ERR", path="/s0")
    old.findings.update(group=None)
    old.groups.all().delete()
    Waiver.objects.create(
        finding=finding, reason="before groups", expires_at=timezone.now() + timedelta(days=5), created_by=reviewer
    )

    backfill(apps, None)

    assert set(old.groups.values_list("group_key", flat=True)) == engine_keys
    assert old.findings.filter(group__isnull=True).count() == 0
    assert old.groups.get(level="ERR").occurrences == 2
    new = submit(v2_active, schemas_spec(3, optional=1, extra_path=True))
    assert review_services.unwaived_errors(new).count() == 0
