"""The Content-Security-Policy header (config/settings.py, config/csp.py) on the test client's
responses: enforced, nonces matching the docs pages' inline scripts, and the two per-page
exceptions. The browser tests (tests/e2e/test_csp_browser.py) show the pages work under it."""

import re

import pytest
from django.test import Client

from config.csp import redirect_origin
from tenants.models import Application
from tenants.principal import Principal
from tenants.services import create_oauth_client

pytestmark = pytest.mark.django_db

BASE = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def policy(response) -> dict[str, str]:
    assert "Content-Security-Policy-Report-Only" not in response
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in directives}


def test_the_portal_gets_the_strict_policy():
    csp = policy(Client().get("/portal/login/"))
    assert {name: csp[name] for name in BASE} == BASE
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"  # no inline block: no nonce


@pytest.mark.parametrize(("path", "inline_scripts"), [("/api/v1/docs/", 1), ("/api/v1/redoc/", 0)])
def test_the_docs_inline_scripts_carry_the_responses_nonce(path, inline_scripts):
    # Redoc without REDOC_UI_SETTINGS is a <redoc> element and the bundle: no inline script.
    response = Client().get(path)
    csp = policy(response)
    assert "'unsafe-inline'" not in csp["script-src"]
    inline = [attrs for attrs in re.findall(r"<script([^>]*)>", response.content.decode()) if "src=" not in attrs]
    assert len(inline) == inline_scripts
    if inline:
        nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
        assert all(f'nonce="{nonce}"' in attrs for attrs in inline)


def test_only_redoc_allows_inline_styles_and_blob_workers():
    swagger, redoc = policy(Client().get("/api/v1/docs/")), policy(Client().get("/api/v1/redoc/"))
    assert "'unsafe-inline'" not in swagger["style-src"] and "'nonce-" in swagger["style-src"]
    assert redoc["style-src"] == "'self' 'unsafe-inline'"  # no nonce: it would void 'unsafe-inline'
    assert redoc["worker-src"] == "'self' blob:"
    assert "worker-src" not in swagger


def test_the_consent_page_may_send_the_browser_to_the_registered_redirect_uri(acme, owner):
    app, _ = create_oauth_client(
        actor=Principal.system(acme),
        name="Partner",
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        redirect_uris="https://partner.example.test/callback",
        allowed_scopes=["tenant:read"],
    )
    browser = Client()
    browser.force_login(owner)
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": "https://partner.example.test/callback",
        "scope": "tenant:read",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWvy3gvtcpZ5k",
        "code_challenge_method": "S256",
    }
    page = browser.get("/o/authorize/", params)
    assert page.status_code == 200
    assert policy(page)["form-action"] == "'self' https://partner.example.test"
    # An unregistered redirect URI gets the error page, and no extra origin.
    wrong = browser.get("/o/authorize/", {**params, "redirect_uri": "https://evil.example.test/cb"})
    assert policy(wrong)["form-action"] == "'self'"


@pytest.mark.parametrize(
    ("uri", "origin"),
    [
        ("https://partner.example.test/callback?x=1", "https://partner.example.test"),
        ("http://127.0.0.1:8765/cb", "http://127.0.0.1:8765"),
        ("com.example.app:/oauth", "com.example.app:"),
        ("", None),
        (None, None),
    ],
)
def test_redirect_origin(uri, origin):
    assert redirect_origin(uri) == origin
