"""The browser tests' page: Debian's headless Chromium driven by Playwright against a live server,
collecting every JavaScript error and every Content-Security-Policy violation of the pages it
visits (the policy of config/settings.py is enforced in the settings the tests use)."""

import os
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the test itself
# and by the live server's fixtures) would refuse to run next to it without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"

# Every document of the context reports its securitypolicyviolation events to the test, so a
# violation is caught even when the page navigates away right after it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.disposition}) ` +
      `in ${event.documentURI} ${event.sourceFile || ""}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def browser_page(live_server):
    """A fresh page of headless Chromium; every console error and uncaught exception is collected
    in `page.js_errors`, every Content-Security-Policy violation in `page.csp_violations` (from the
    securitypolicyviolation events and from the console)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), "
            "as .ci/run does, or deselect these tests with -m 'not browser'."
        )
    # Chromium keeps HTTP connections alive and the live server's request threads would keep their
    # database connection for CONN_MAX_AGE; with 0 they close after each request. (Every thread's
    # connection shares this settings dict.) The close_all() at the end does the same for this
    # thread, so no session outlives the test database (its teardown can't drop a used database).
    db_settings = connections["default"].settings_dict
    conn_max_age, db_settings["CONN_MAX_AGE"] = db_settings["CONN_MAX_AGE"], 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
            violations = []
            context.expose_binding("__reportCspViolation", lambda source, text: violations.append(text))
            context.add_init_script(REPORT_CSP_VIOLATIONS)
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.js_errors = []
            page.csp_violations = violations

            def on_console(msg):
                if msg.type == "error":
                    page.js_errors.append(f"console: {msg.text} @ {page.url}")
                if "Content Security Policy" in msg.text:
                    violations.append(f"console: {msg.text} @ {page.url}")

            page.on("console", on_console)
            page.on("pageerror", lambda exc: page.js_errors.append(f"pageerror: {exc} @ {page.url}"))
            try:
                yield page
            finally:
                context.close()
                browser.close()
                # Django keeps connections per asyncio context, and Playwright's sync API runs an
                # event loop here: close the ones this test's code opened inside it, now, while
                # that context is still the current one.
                connections.close_all()
    finally:
        db_settings["CONN_MAX_AGE"] = conn_max_age
        connections.close_all()
