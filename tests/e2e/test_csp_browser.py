"""The Content-Security-Policy in a real browser: the portal pages, the admin, the OAuth consent page
(and the authorization-code redirect it leads to) and both API docs pages render under the enforced
policy, and none of them reports a violation (conftest.py collects them)."""

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from tenants.models import Application
from tenants.principal import Principal
from tenants.services import create_oauth_client
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_CALLBACK = "https://partner.example.test/callback"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
PORTAL_PAGES = [
    ("/portal/", "Acme"),
    ("/portal/members/", "Members"),
    ("/portal/members/invite/", "Invite"),
    ("/portal/clients/", "OAuth clients"),
    ("/portal/clients/new/", "New OAuth client"),
    ("/portal/audit/", "Audit log"),
    ("/portal/keys/", "API keys"),
    ("/portal/usage/", "Usage"),
    ("/portal/deprecations/", "Deprecations"),
    ("/portal/changelog/", "Changelog"),
    ("/portal/webhooks/", "Webhooks"),
]


def _sign_in(page, email):
    page.goto("/portal/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Acme", exact=True)).to_be_visible()


def _assert_enforced(response):
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "object-src 'none'" in policy, policy
    assert "content-security-policy-report-only" not in response.headers


def test_the_portal_renders_under_the_policy(browser_page, owner, acme):
    page = browser_page
    _sign_in(page, owner.email)
    for path, heading in PORTAL_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        _assert_enforced(response)
        expect(page.locator("h1").first).to_contain_text(heading)
    # The usage period select submits itself (portal.js; no inline handler).
    page.goto("/portal/usage/")
    days = page.locator("select[name=days]")
    other = [
        v
        for v in days.locator("option").evaluate_all("options => options.map(o => o.value)")
        if v != days.input_value()
    ][0]
    with page.expect_navigation():
        days.select_option(other)
    assert f"days={other}" in page.url
    assert page.js_errors == []
    assert page.csp_violations == []


def test_the_admin_renders_under_the_policy(browser_page, acme):
    UserFactory(email="staff@console.test", is_staff=True, is_superuser=True)
    page = browser_page
    # The admin names no favicon, so Chromium asks for /favicon.ico (a 404 here, not a policy matter).
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    response = page.goto("/admin/login/")
    _assert_enforced(response)
    page.locator("#id_username").fill("staff@console.test")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    response = page.goto("/admin/tenants/tenant/")
    _assert_enforced(response)
    expect(page.locator("#result_list")).to_contain_text("Acme")
    page.locator("#action-toggle").check()  # the changelist's own script (actions.js) runs
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    assert page.js_errors == []
    assert page.csp_violations == []


def test_the_consent_page_and_the_authorization_code_redirect_work_under_the_policy(browser_page, owner, acme):
    app, _secret = create_oauth_client(
        actor=Principal.system(acme),
        name="Partner app",
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        redirect_uris=PARTNER_CALLBACK,
        allowed_scopes=["tenant:read"],
    )
    page = browser_page
    # The partner's origin, answered by the test instead of the network.
    page.route(
        "https://partner.example.test/**", lambda route: route.fulfill(body="partner", content_type="text/plain")
    )
    _sign_in(page, owner.email)
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": PARTNER_CALLBACK,
        "scope": "tenant:read",
        "state": "csp-state",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWvy3gvtcpZ5k",  # RFC 7636's example
        "code_challenge_method": "S256",
    }
    response = page.goto(f"/o/authorize/?{urlencode(params)}")
    _assert_enforced(response)
    # The consent form may post to this server and follow the redirect to the registered URI's origin.
    assert "form-action 'self' https://partner.example.test" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Authorize Partner app?")).to_be_visible()
    # The browser follows the redirect to the partner (whose host doesn't resolve here: the request
    # is what counts). A form-action without the partner's origin would block it (blocked:csp).
    with page.expect_request(lambda request: request.url.startswith(PARTNER_CALLBACK)) as partner:
        page.get_by_role("button", name="Authorize").click()
    answer = parse_qs(urlparse(partner.value.url).query)
    assert answer["state"] == ["csp-state"] and answer["code"][0]
    assert page.js_errors == []
    assert page.csp_violations == []


def test_swagger_ui_renders_the_operations_under_the_policy(browser_page, acme):
    page = browser_page
    response = page.goto("/api/v1/docs/")
    _assert_enforced(response)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert page.locator("#swagger-ui .opblock").count() > 10
    assert page.js_errors == []
    assert page.csp_violations == []


def test_redoc_renders_the_reference_under_the_policy(browser_page, acme):
    page = browser_page
    response = page.goto("/api/v1/redoc/")
    _assert_enforced(response)
    expect(page.get_by_role("heading", level=1).first).to_contain_text("API governance console")
    expect(page.locator("[data-section-id^='operation/']").first).to_be_attached()
    assert page.locator("[data-section-id^='operation/']").count() > 10
    # The one thing the policy blocks on purpose: Redoc's Redocly logo from its CDN (every docs
    # asset comes from this server; Redoc removes the image when it fails to load).
    assert [e for e in page.js_errors if REDOCLY_LOGO not in e] == []
    assert [v for v in page.csp_violations if REDOCLY_LOGO not in v] == []
