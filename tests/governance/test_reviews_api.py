"""Submitting specs through the API and the CLI: who may, the document as body or upload, the
size limit, hostile documents (never a 500), and reading the review back."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from governance import permissions
from governance.models import LifecycleState, Review
from tenants.models import Membership
from tenants.roles import Role
from tests.factories import ApplicationFactory, issue_token
from tests.governance.conftest import make_version, spec
from tests.governance.test_reviews import ALIAS_BOMB, DEEP_JSON, NOT_OPENAPI

pytestmark = pytest.mark.django_db
S = LifecycleState
URL = "/api/v1/apis/payments/versions/v2/reviews/"


@pytest.fixture
def v2_active(payments):
    return make_version(payments, "v2", S.ACTIVE, spec("payments_v2.yaml"))


@pytest.fixture
def platform_tenant(db):
    from tests.factories import TenantFactory

    return TenantFactory(slug="platform", name="Platform API teams")


@pytest.fixture
def ci_client(platform_tenant, api_owner, v2_active):
    """CI's client-credentials token: a client staff bound to an owner of the API."""
    Membership.objects.create(user=api_owner, tenant=platform_tenant, role=Role.DEVELOPER)
    app = ApplicationFactory(
        tenant=platform_tenant, created_by=api_owner, governance_identity=api_owner, allowed_scopes=["governance:write"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(app, ['governance:write'])}")
    return client


def post_yaml(client, body, content_type="application/yaml", url=URL):
    return client.generic("POST", url, body, content_type=content_type)


def test_ci_submits_yaml_and_reads_the_analysed_review(ci_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_yaml(ci_client, spec("payments_v2_proposed.yaml"))
    assert response.status_code == 201, response.content
    body = response.json()
    # The test's transaction commits after the response; in production the task runs first when eager.
    assert body["status"] == "pending" and body["revision"]["source"] == "api"
    assert response["Location"].endswith(f"{URL}{body['id']}/")

    again = ci_client.get(f"{URL}{body['id']}/").json()
    assert again["status"] == "ready" and again["summary"]["ERR"] == 4
    assert [f["level"] for f in again["findings"]][:4] == ["ERR"] * 4
    review = Review.objects.get(pk=body["id"])
    assert review.revision.author.email == "olga@platform.test"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/vnd.oai.openapi+json"])
def test_the_body_may_be_any_text_media_type(ci_client, content_type):
    response = post_yaml(ci_client, spec("catalog_v1.json"), content_type=content_type)
    assert response.status_code == 201, response.content
    assert Review.objects.get(pk=response.json()["id"]).revision.document.encode() == spec("catalog_v1.json")


def test_the_document_may_be_a_multipart_upload(ci_client):
    upload = io.BytesIO(spec("payments_v2_proposed.yaml"))
    upload.name = "openapi.yaml"
    response = ci_client.post(URL, {"spec": upload}, format="multipart")
    assert response.status_code == 201, response.content


def test_a_multipart_without_the_file_is_a_validation_error(ci_client):
    response = ci_client.post(URL, {"other": "x"}, format="multipart")
    assert response.status_code == 400 and "spec" in response.json()["errors"]


def test_over_the_size_limit_is_413(ci_client, settings):
    settings.GOVERNANCE_MAX_SPEC_BYTES = 1000
    response = post_yaml(ci_client, b"openapi: 3.0.0\n" + b"#" * 2000)
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/payload-too-large"
    upload = io.BytesIO(b"openapi: 3.0.0\n" + b"#" * 2000)
    upload.name = "big.yaml"
    assert ci_client.post(URL, {"spec": upload}, format="multipart").status_code == 413
    assert not Review.objects.exists()


def test_a_binary_body_is_spec_invalid(ci_client):
    response = post_yaml(ci_client, b"\xff\xfe\xfa", content_type="application/octet-stream")
    assert response.status_code == 400 and response.json()["type"] == "/problems/spec-invalid"


@pytest.mark.parametrize("document", [ALIAS_BOMB, DEEP_JSON, NOT_OPENAPI], ids=["alias-bomb", "deep", "swagger-2"])
def test_a_hostile_document_is_201_then_failed_never_500(ci_client, document, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_yaml(ci_client, document)
    assert response.status_code == 201, response.content
    review_id = response.json()["id"]
    detail = ci_client.get(f"{URL}{review_id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "failed" and detail.json()["error"]


def test_a_staff_session_of_an_owner_may_submit(api_owner, v2_active):
    client = APIClient()
    client.force_login(api_owner)
    assert post_yaml(client, spec("payments_v2.yaml")).status_code == 201


def test_people_who_do_not_own_the_api_are_refused(v2_active, other_owner, owner, acme, token_client):
    staff = APIClient()
    staff.force_login(other_owner)
    assert post_yaml(staff, spec("payments_v2.yaml")).status_code == 403

    # A partner: a tenant's owner, with a token carrying governance:write. Partners consume APIs.
    partner = token_client(acme, ["governance:write"], user=owner)
    response = post_yaml(partner, spec("payments_v2.yaml"))
    assert response.status_code == 403 and response.json()["type"] == "/problems/permission-denied"
    machine = token_client(acme, ["governance:write"])  # client credentials, no creator
    assert post_yaml(machine, spec("payments_v2.yaml")).status_code == 403
    assert not Review.objects.exists()


def test_a_client_an_api_owner_made_in_a_tenant_carries_no_governance_rights(platform_tenant, api_owner, v2_active):
    """Members of the tenant could rotate its secret and act as the API owner: only a client staff
    bound to the owner (governance_identity) submits as them."""
    Membership.objects.create(user=api_owner, tenant=platform_tenant, role=Role.DEVELOPER)
    app = ApplicationFactory(tenant=platform_tenant, created_by=api_owner, allowed_scopes=["governance:write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(app, ['governance:write'])}")
    response = post_yaml(client, spec("payments_v2.yaml"))
    assert response.status_code == 403 and response.json()["type"] == "/problems/permission-denied"
    assert not Review.objects.exists()


def test_a_token_without_governance_write_is_refused(platform_tenant, api_owner, v2_active):
    Membership.objects.create(user=api_owner, tenant=platform_tenant, role=Role.DEVELOPER)
    app = ApplicationFactory(
        tenant=platform_tenant, created_by=api_owner, governance_identity=api_owner, allowed_scopes=["catalog:read"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(app, ['catalog:read'])}")
    response = post_yaml(client, spec("payments_v2.yaml"))
    assert response.status_code == 403 and response.json()["required_scopes"] == ["governance:write"]


def test_a_viewer_role_is_refused_even_for_an_owner(platform_tenant, api_owner, v2_active):
    Membership.objects.create(user=api_owner, tenant=platform_tenant, role=Role.VIEWER)
    app = ApplicationFactory(tenant=platform_tenant, allowed_scopes=["governance:write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(app, ['governance:write'], user=api_owner)}")
    assert post_yaml(client, spec("payments_v2.yaml")).status_code == 403


def test_unknown_version_or_internal_api_is_404(ci_client, payments, api_owner, other_owner):
    assert (
        post_yaml(ci_client, spec("payments_v2.yaml"), url="/api/v1/apis/payments/versions/v9/reviews/").status_code
        == 404
    )
    from governance.models import Api

    internal = Api.objects.create(slug="internal", name="Internal", visibility=Api.Visibility.INTERNAL)
    make_version(internal, "v1")
    staff = APIClient()
    staff.force_login(other_owner)
    assert post_yaml(staff, b"x", url="/api/v1/apis/internal/versions/v1/reviews/").status_code == 404
    permissions.grant_api_owner(other_owner, internal)
    assert (
        post_yaml(staff, spec("payments_v1.yaml"), url="/api/v1/apis/internal/versions/v1/reviews/").status_code == 201
    )


def test_reviewers_read_reviews_others_do_not(ci_client, reviewer, other_owner):
    review_id = post_yaml(ci_client, spec("payments_v2.yaml")).json()["id"]
    for user, expected in ((reviewer, 200), (other_owner, 403)):
        client = APIClient()
        client.force_login(user)
        assert client.get(f"{URL}{review_id}/").status_code == expected
    assert ci_client.get(f"/api/v1/apis/payments/versions/v2/reviews/{review_id + 100}/").status_code == 404


# --- the CLI --------------------------------------------------------------------------------------------


def test_submit_spec_prints_the_review_and_with_wait_the_summary(v2_active, api_owner, tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_bytes(spec("payments_v2_proposed.yaml"))
    out = io.StringIO()
    call_command(
        "submit_spec", str(path), "--api", "payments", "--version", "v2", "--as", api_owner.email, "--wait", stdout=out
    )
    review = Review.objects.get()
    text = out.getvalue()
    assert f"Review #{review.pk} submitted for payments v2." in text
    assert "Status: ready. 4 ERR, 0 WARN, 0 INFO." in text
    assert "ERR api-path-removed-without-deprecation GET /charges/{id}" in text
    assert review.revision.source == "cli" and review.revision.author == api_owner


def test_submit_spec_fails_on_breaking_with_exit_2(v2_active, tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_bytes(spec("payments_v2_proposed.yaml"))
    with pytest.raises(CommandError) as caught:
        call_command(
            "submit_spec",
            str(path),
            "--api",
            "payments",
            "--version",
            "v2",
            "--wait",
            "--fail-on-breaking",
            stdout=io.StringIO(),
        )
    assert caught.value.returncode == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--api", "nope", "--version", "v2"], "No version 'v2' of an API 'nope'"),
        (["--api", "payments", "--version", "v2", "--as", "otto@platform.test"], "Only platform admins and owners"),
    ],
)
def test_submit_spec_refusals_exit_non_zero(v2_active, other_owner, tmp_path, args, message):
    path = tmp_path / "openapi.yaml"
    path.write_bytes(spec("payments_v2.yaml"))
    with pytest.raises(CommandError, match=message):
        call_command("submit_spec", str(path), *args, stdout=io.StringIO())


def test_submit_spec_with_wait_reports_a_failed_review(v2_active, tmp_path):
    path = tmp_path / "swagger.yaml"
    path.write_bytes(NOT_OPENAPI)
    with pytest.raises(CommandError, match="failed: .*unsupported Swagger version '1.2'"):
        call_command("submit_spec", str(path), "--api", "payments", "--version", "v2", "--wait", stdout=io.StringIO())
    assert Review.objects.get().status == "failed"


def test_submit_spec_with_wait_does_not_send_escape_sequences_from_the_document(v2_active, tmp_path):
    # The attack: a new required parameter whose name retitles the terminal (OSC), clears it (CSI,
    # 7- and 8-bit) and forges a finding line of its own.
    name = r"x\x1b]0;pwned\x07\x1b[2J\x9b2J\n  ERR fake-rule GET /admin: all clear"
    document = spec("payments_v2.yaml").replace(
        b"      parameters:\n        - name: limit\n",
        f'      parameters:\n        - {{name: "{name}", in: query, required: true, schema: {{type: string}}}}\n'
        "        - name: limit\n".encode(),
        1,
    )
    path = tmp_path / "openapi.yaml"
    path.write_bytes(document)
    out = io.StringIO()
    call_command("submit_spec", str(path), "--api", "payments", "--version", "v2", "--wait", stdout=out)
    text = out.getvalue()
    assert [c for c in text if (c < " " and c != "\n") or "\x7f" <= c <= "\x9f"] == []
    assert (
        "ERR new-required-request-parameter GET /charges: added the new required `query` request parameter "
        "`x\\x1b]0;pwned\\x07\\x1b[2J\\x9b2J\\x0a  ERR fake-rule GET /admin: all clear`"
    ) in text
    assert not any(line.startswith("  ERR fake-rule") for line in text.splitlines())


def test_submit_spec_with_wait_shows_a_failed_review_without_its_escape_sequences(v2_active, tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_bytes(
        spec("payments_v2.yaml").replace(
            b"paths:\n", b'paths:\n  /evil:\n    $ref: "https://e.test/\\x1b[2J\\x1b]0;pwned\\x07.yaml"\n', 1
        )
    )
    with pytest.raises(CommandError) as caught:
        call_command("submit_spec", str(path), "--api", "payments", "--version", "v2", "--wait", stdout=io.StringIO())
    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)
    assert "remote $ref refused: https://e.test/\\x1b[2J\\x1b]0;pwned\\x07.yaml" in str(caught.value)
    assert "\x1b" in Review.objects.get().error  # stored as submitted; escaped where printed


def test_submit_spec_exit_status_in_a_real_process(v2_active, tmp_path):
    """The exit status CI sees (call_command raises instead of exiting)."""
    from django.core.management import ManagementUtility

    path = tmp_path / "missing.yaml"
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "submit_spec", str(path), "--api", "payments", "--version", "v2"]).execute()
    assert caught.value.code == 1
