"""Refresh the portal's screenshots in docs/screenshots/: `make screenshots`.

Serves the demo data (`make run`'s database, migrated and seeded by the make target) with
`manage.py runserver` on a spare port, signs in as the demo tenant owner in headless Chromium
(Debian's, as the browser tests use) and saves the main portal pages at a phone's width (390 px)
and a laptop's (1366 px), one full-page PNG per page and width. The server stops when it is done.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"phone": 390, "laptop": 1366}
# (file stem, path): the pages a partner's developer lives in.
PAGES = [
    ("dashboard", "/portal/"),
    ("members", "/portal/members/"),
    ("keys", "/portal/keys/"),
    ("usage", "/portal/usage/"),
    ("deprecations", "/portal/deprecations/"),
    ("changelogs", "/portal/changelog/"),
    ("audit", "/portal/audit/"),
]
OWNER = ("alice@acme.test", "demo-pass-123")  # tenants/demo.py


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"runserver exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"runserver did not listen on port {port} within {seconds:.0f} s")


def capture(base_url: str) -> list[Path]:
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(base_url=base_url)
        page = context.new_page()
        page.goto("/portal/login/")
        page.get_by_label("E-mail address").fill(OWNER[0])
        page.get_by_label("Password").fill(OWNER[1])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/portal/")
        for device, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 860})
            for stem, path in PAGES:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                target = OUT / f"{stem}-{device}.png"
                page.screenshot(path=str(target), full_page=True)
                saved.append(target)
        browser.close()
    return saved


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "DEBUG": "true"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(port, server)
        saved = capture(base_url)
    finally:
        server.terminate()
        server.wait(timeout=10)
    for target in saved:
        print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
