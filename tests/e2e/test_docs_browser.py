"""The API docs pages in a real browser: every request they make goes to the console itself (no CDN
logo, no validator badge, no web font), and they render without a console error."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _record_requests(page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def _foreign(requests, live_server):
    local = urlparse(live_server.url).netloc
    return [url for url in requests if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc != local]


def test_swagger_ui_requests_nothing_from_outside(browser_page, live_server, acme):
    page = browser_page
    requests = _record_requests(page)
    page.goto("/api/v1/docs/")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert _foreign(requests, live_server) == []
    assert any(url.endswith("/api/v1/schema/") for url in requests)
    assert page.js_errors == []
    assert page.csp_violations == []


def test_redoc_requests_nothing_from_outside(browser_page, live_server, acme):
    page = browser_page
    requests = _record_requests(page)
    page.goto("/api/v1/redoc/")
    expect(page.locator("[data-section-id^='operation/']").first).to_be_attached()
    # The sidebar footer where Redoc renders the Redocly logo from its CDN.
    expect(page.get_by_role("link", name="API docs by Redocly")).to_be_attached()
    page.wait_for_load_state("networkidle")

    assert _foreign(requests, live_server) == []
    assert any("/docs-assets/redoc/" in url for url in requests)
    assert page.js_errors == []
    assert page.csp_violations == []
