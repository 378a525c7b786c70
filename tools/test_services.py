"""Find (or start) the PostgreSQL and Redis the test suite runs against.

`make test` calls `python tools/test_services.py env` when DATABASE_URL or REDIS_URL is not set:
- PostgreSQL: the server answering on 127.0.0.1:5432 (user postgres) if there is one; otherwise a
  throwaway cluster made with the installed binaries (initdb/pg_ctl) in .services/, on a free port.
- Redis: the server on 127.0.0.1:6379 if it answers; otherwise a throwaway redis-server.
It prints shell `export` lines. `python tools/test_services.py stop` stops what it started.
If neither a server nor the binaries exist it says exactly what to install and exits 2.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".services"


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def fail(message: str) -> NoReturn:
    print(f"test_services: {message}", file=sys.stderr)
    sys.exit(2)


def start_postgres() -> str:
    initdb, pg_ctl = find_pg_bin("initdb"), find_pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        fail(
            "no PostgreSQL answers on 127.0.0.1:5432 and no initdb/pg_ctl is installed; "
            "install PostgreSQL (apt-get install postgresql) or set DATABASE_URL."
        )
    data = STATE / "pg"
    port = free_port()
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    run_as = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(STATE, "postgres")
        shutil.chown(data, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        run_as + [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        run_as
        + [
            pg_ctl,
            "start",
            "-D",
            str(data),
            "-w",
            "-l",
            str(data / "log"),
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (STATE / "pg.port").write_text(str(port))
    return f"postgres://postgres@127.0.0.1:{port}/console"


def start_redis() -> str:
    server = shutil.which("redis-server")
    if not server:
        fail(
            "no Redis answers on 127.0.0.1:6379 and redis-server is not installed; "
            "install it (apt-get install redis-server) or set REDIS_URL."
        )
    STATE.mkdir(exist_ok=True)
    port = free_port()
    subprocess.run(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(STATE / "redis.pid"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        if answers("127.0.0.1", port):
            break
        time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0"


def env() -> None:
    lines = []
    if not os.environ.get("DATABASE_URL"):
        url = "postgres://postgres@127.0.0.1:5432/console" if answers("127.0.0.1", 5432) else start_postgres()
        lines.append(f"export DATABASE_URL={url}")
    if not os.environ.get("REDIS_URL"):
        url = "redis://127.0.0.1:6379/0" if answers("127.0.0.1", 6379) else start_redis()
        lines.append(f"export REDIS_URL={url}")
    print("\n".join(lines))


def stop() -> None:
    data = STATE / "pg"
    if (STATE / "pg.port").exists():
        pg_ctl = find_pg_bin("pg_ctl") or "pg_ctl"
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(run_as + [pg_ctl, "-D", str(data), "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
        (STATE / "pg.port").unlink()
    pidfile = STATE / "redis.pid"
    if pidfile.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text().strip()), 15)
        pidfile.unlink(missing_ok=True)


if __name__ == "__main__":
    {"env": env, "stop": stop}.get(sys.argv[1] if len(sys.argv) > 1 else "", lambda: fail("usage: env|stop"))()
