"""Install (as root, with apt) or name (otherwise) the system packages the test suite needs.

`make test` runs this first, so one command sets a fresh machine up: PostgreSQL and Redis servers
(tools/test_services.py then finds or starts them), Chromium for the browser tests and Prometheus
(promtool and the server) for the alert-rule and scrape tests. Nothing is installed when all is
there. Exits 2 with the apt-get command to run when something is missing and this isn't root.
"""

import glob
import os
import shutil
import subprocess
import sys

# (what the suite runs, how to tell it is there, the Debian package that brings it)
NEEDS = [
    ("PostgreSQL", lambda: shutil.which("pg_ctl") or glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), "postgresql"),
    ("Redis", lambda: shutil.which("redis-server"), "redis-server"),
    ("Chromium", lambda: shutil.which("chromium") or os.path.exists("/usr/bin/chromium"), "chromium"),
    ("promtool", lambda: shutil.which("promtool"), "prometheus"),
    (
        "fonts for the browser screenshots",
        lambda: glob.glob("/usr/share/fonts/truetype/liberation*"),
        "fonts-liberation",
    ),
]


def main() -> int:
    missing = [package for _what, present, package in NEEDS if not present()]
    if not missing:
        return 0
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        print(
            f"system_deps: the test suite needs {', '.join(missing)}; install them with:\n"
            f"  sudo apt-get update && sudo {' '.join(command)}",
            file=sys.stderr,
        )
        return 2
    print(f"system_deps: installing {' '.join(missing)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    # Debian's prometheus package starts a server on :9090 as a service; the tests run their own.
    subprocess.run(["sh", "-c", "service prometheus stop >/dev/null 2>&1 || pkill -x prometheus || true"], env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
