"""Every portal page fits a phone and a laptop screen: a tenant owner, signed in on the demo data,
visits each page of the portal's URLconf at 390 px and at 1366 px in headless Chromium. A page fails
when it is wider than the window (the document scrolls sideways), when it logs a console error or a
Content-Security-Policy violation, when one of its requests fails, or when axe-core finds a serious
or critical accessibility violation in it.

The pages come from the URLconf itself (namespaces portal, keys and governance), so a page added
later is visited too: a page that needs an object names it in OBJECT_ARGS, and the test fails for a
page it does not know how to reach.
"""

import io
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apikeys.models import ApiKey
from governance.models import ApiVersion, WebhookEndpoint
from governance.webhooks import signing
from tenants.models import Application, Membership, Tenant, User
from tenants.principal import Principal
from tenants.roles import Role
from tenants.services import invitations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTAL_NAMESPACES = ("portal", "keys", "governance")
PHONE, LAPTOP = 390, 1366
# axe-core, vendored (with its licence) so the suite runs offline.
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
# The impacts axe-core rates as blocking a person from using the page.
BLOCKING_IMPACTS = ("serious", "critical")
OWNER_EMAIL = "alice@acme.test"


def portal_views():
    """(url name, view class) of every portal URL, from the URLconf."""
    found = []
    for resolver in get_resolver().url_patterns:
        if not isinstance(resolver, URLResolver) or resolver.namespace not in PORTAL_NAMESPACES:
            continue
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLPattern):
                found.append((f"{resolver.namespace}:{pattern.name}", pattern.callback.view_class))
    return found


def pages():
    """The URL names a browser can open: the views that answer GET."""
    return [name for name, view in portal_views() if "get" in view.http_method_names and hasattr(view, "get")]


def _acme():
    return Tenant.objects.get(slug="acme")


def _owner():
    return User.objects.get(email=OWNER_EMAIL)


def _other_member():
    return Membership.objects.across_tenants().filter(tenant=_acme()).exclude(user=_owner()).first()


def _client():
    return Application.objects.across_tenants().filter(tenant=_acme()).first()


def _key():
    return ApiKey.objects.across_tenants().filter(tenant=_acme(), revoked_at__isnull=True).first()


def _webhook():
    endpoint = WebhookEndpoint.objects.across_tenants().filter(tenant=_acme()).first()
    if endpoint is None:
        # Made directly: the service resolves the host (no network here) to refuse private ones.
        endpoint = WebhookEndpoint.objects.create(
            tenant=_acme(),
            url="https://hooks.acme.example/api-console",
            description="Release notes to the partner channel",
            secret_encrypted=signing.encrypt_secret(signing.generate_secret()),
        )
    return endpoint


def _changelog_version():
    version = ApiVersion.objects.select_related("api").order_by("pk").last()
    return {"api_slug": version.api.slug, "label": version.version}


def _invitation_token():
    actor = Principal.for_member(_owner(), _acme(), Role.OWNER)
    invitation = invitations.invite_member(actor=actor, email="nina@example.test", role=Role.DEVELOPER)
    return {"token": invitations.invitation_token(invitation)}


def _reset_link():
    user = _owner()
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


# What each page that names an object needs, from the demo data (or made here when the demo has none).
OBJECT_ARGS = {
    "portal:password-reset-confirm": _reset_link,
    "portal:member-remove": lambda: {"pk": _other_member().pk},
    "portal:accept-invitation": _invitation_token,
    "portal:client-detail": lambda: {"pk": _client().pk},
    "portal:client-rotate": lambda: {"pk": _client().pk},
    "portal:client-delete": lambda: {"pk": _client().pk},
    "keys:rotate": lambda: {"pk": _key().pk},
    "keys:revoke": lambda: {"pk": _key().pk},
    "governance:changelog": _changelog_version,
    "governance:webhook-detail": lambda: {"pk": _webhook().pk},
    "governance:webhook-delete": lambda: {"pk": _webhook().pk},
}


def page_urls():
    urls = []
    for name in pages():
        try:
            urls.append((name, reverse(name)))
        except Exception:
            assert name in OBJECT_ARGS, f"{name} needs an object: say which in OBJECT_ARGS"
            urls.append((name, reverse(name, kwargs=OBJECT_ARGS[name]())))
    return urls


def sign_in(page):
    page.goto("/portal/login/")
    page.get_by_label("E-mail address").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/")


def layout_problems(page, width):
    """What is wrong with the page now open: overflow, and axe-core's blocking violations."""
    problems = []
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if overflow[0] > overflow[1]:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                 .filter((el) => el.getBoundingClientRect().right > limit + 1)
                 .filter((el) => !el.closest('.table-wrap, .scroll-x'))
                 .slice(0, 5).map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))""",
            overflow[1],
        )
        problems.append(f"{overflow[0]} px wide in a {overflow[1]} px window ({', '.join(wide)})")
    # Evaluated through the DevTools protocol: a <script> tag would be refused by the page's CSP.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return problems


@pytest.fixture
def demo(settings):
    call_command("seed_demo", "--force", stdout=io.StringIO())


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_every_portal_page_fits_the_window_and_passes_axe(browser_page, demo, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 860})
    failed_requests = []
    page.on("requestfailed", lambda request: failed_requests.append(f"{request.url}: {request.failure}"))
    page.on(
        "response",
        lambda response: response.status >= 400 and failed_requests.append(f"{response.url}: {response.status}"),
    )
    sign_in(page)
    urls = page_urls()
    assert len(urls) >= 20, urls  # the URLconf walk found the portal

    problems = {}
    for name, url in urls:
        if name == "portal:accept-invitation":
            continue  # visited signed out below: it is the page an invited person opens
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if found := layout_problems(page, width):
            problems[f"{name} {url}"] = found

    # The signed-out pages: sign-in, password reset, an invitation link.
    page.context.clear_cookies()
    for name, url in urls:
        if name in ("portal:login", "portal:password-reset", "portal:accept-invitation"):
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if found := layout_problems(page, width):
                problems[f"{name} {url} (signed out)"] = found

    assert problems == {}
    assert page.js_errors == []
    assert page.csp_violations == []
    assert failed_requests == []


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_the_account_controls_are_in_reach(browser_page, demo, width):
    """Sign out and the tenant switcher are on screen at both widths; on a phone the sections sit
    behind a menu button that opens and closes them."""
    page = browser_page
    page.set_viewport_size({"width": width, "height": 860})
    sign_in(page)
    toggle = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Sections")
    if width == PHONE:
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not nav.get_by_role("link", name="Members", exact=True).is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    else:
        assert not toggle.is_visible()
    members = nav.get_by_role("link", name="Members", exact=True)
    assert members.is_visible()
    sign_out = page.get_by_role("button", name="Sign out")
    assert sign_out.is_visible()
    box = sign_out.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    if width == LAPTOP:
        # One line: every section link shares the first link's top.
        tops = {round(link.bounding_box()["y"]) for link in nav.get_by_role("link").all()}
        assert len(tops) == 1, tops
    members.click()
    page.wait_for_url("**/portal/members/")
    assert page.js_errors == []
