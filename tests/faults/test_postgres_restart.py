"""PostgreSQL goes down under a stream of writes and comes back: while it is down, API requests to a
real gunicorn answer at once 503 problem+json `/problems/database-unavailable` with Retry-After,
/readyz says the database is failing, and within seconds of its return requests succeed again. No
write is half-applied: every key the API created has its audit event and every event its key, the
tenant's hash chain has no gap, and every 201 the clients saw is in the database.

The cluster is a private one (initdb + pg_ctl, stopped with `-m immediate`, as a crash), holding a
copy of this test's migrated database; the machine's shared PostgreSQL is never touched. A second
test points gunicorn at a server that accepts connections and never answers: connect_timeout
(DATABASE_CONNECT_TIMEOUT_SECONDS) makes the request fail with the same 503 instead of hanging.
"""

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings

from apikeys import keys, services
from tenants.models import Tenant
from tenants.principal import Principal
from tests.factories import TenantFactory
from tests.faults.processes import Answer, Gunicorn, console_env, request, wait_until

WRITERS = 3
PROBLEM = "/problems/database-unavailable"


def assert_database_unavailable(answer: Answer) -> None:
    assert answer.status == 503, answer
    assert answer.headers["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert (body["type"], body["status"]) == (PROBLEM, 503), body
    assert int(answer.headers["Retry-After"]) > 0


@pytest.fixture
def api_key(shared_secrets, settings, redis_server):
    """A key of an enterprise tenant, made in this test's database before it is copied."""
    settings.APIKEY_REDIS_URL = redis_server.url()
    tenant = TenantFactory(slug="acme", plan=Tenant.Plan.ENTERPRISE)
    _, raw = services.create_key(actor=Principal.system(tenant), name="writer", scopes=["keys:read", "keys:write"])
    return raw


@pytest.mark.django_db(transaction=True)
def test_requests_fail_fast_while_postgres_is_down_and_no_write_is_half_applied(
    api_key, postgres_cluster, redis_server, shared_secrets, test_database_url, tmp_path
):
    database = postgres_cluster.copy_database(test_database_url, "console")
    env = console_env(
        database_url=database,
        redis_url=redis_server.url(),
        APIKEY_REDIS_PREFIX=settings.APIKEY_REDIS_PREFIX,
        **shared_secrets,
    )
    web = Gunicorn(env, tmp_path).start()
    headers = {"X-API-Key": api_key}

    def create_key(n: int) -> Answer:
        return request(
            web.base + "/api/v1/keys/", method="POST", headers=headers, body={"name": f"w-{n}", "scopes": ["keys:read"]}
        )

    try:
        assert create_key(0).status == 201

        # Writers run; the database crashes under them; requests while it is down answer 503.
        answers: list[Answer] = []
        stop = threading.Event()
        counter = iter(range(1, 100_000))

        def write():
            while not stop.is_set():
                answers.append(create_key(next(counter)))

        with ThreadPoolExecutor(WRITERS) as pool:
            for _ in range(WRITERS):
                pool.submit(write)
            wait_until(lambda: sum(a.status == 201 for a in answers) >= 10, 60, "writes to succeed", web.log)
            postgres_cluster.stop("immediate")
            down_from = len(answers)
            wait_until(lambda: len(answers) >= down_from + 3 * WRITERS, 30, "writes while it is down", web.log)
            readiness = request(web.base + "/readyz")
            listing = request(web.base + "/api/v1/keys/", headers=headers)
            stop.set()

        while_down = answers[down_from + WRITERS :]  # past the ones in flight at the crash
        assert while_down and all(a.status == 503 for a in while_down)
        for answer in [*while_down, listing]:
            assert_database_unavailable(answer)
        assert {a.status for a in answers} <= {201, 503}  # never a 500
        assert readiness.status == 503 and "database" in readiness.json()["failing"], readiness
        assert web.metric("console_database_unavailable_total") >= len(while_down) + 1

        # It comes back: requests succeed again within seconds, on fresh connections.
        postgres_cluster.start()
        wait_until(lambda: create_key(-1).status == 201, 20, "writes to succeed again", web.log)
        assert request(web.base + "/api/v1/keys/?page_size=1", headers=headers).status == 200
        assert wait_until(lambda: request(web.base + "/readyz").status == 200, 20, "/readyz to recover")
    finally:
        web.stop()

    # Every write is whole or absent: each created key has its audit event and each event its key,
    # the chain is gapless, and every 201 a client saw is a key in the database.
    with psycopg.connect(database) as conn:
        created = {str(pk) for (pk,) in conn.execute("SELECT id FROM apikeys_apikey WHERE name LIKE 'w-%%'").fetchall()}
        audited = {
            target
            for (target,) in conn.execute(
                "SELECT target_id FROM tenants_auditevent WHERE action = 'api_key.created' AND changes->>'name' LIKE 'w-%%'"
            ).fetchall()
        }
        seqs = [
            seq
            for (seq,) in conn.execute(
                "SELECT seq FROM tenants_auditevent WHERE tenant_id = (SELECT id FROM tenants_tenant WHERE slug = 'acme') "
                "ORDER BY seq"
            ).fetchall()
        ]
        [(head,)] = conn.execute(
            "SELECT h.seq FROM tenants_auditchainhead h JOIN tenants_auditevent e ON e.chain = h.chain "
            "JOIN tenants_tenant t ON t.id = e.tenant_id WHERE t.slug = 'acme' LIMIT 1"
        ).fetchall()
    assert created and created == audited
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))) and head == seqs[-1]
    acknowledged = {str(a.json()["id"]) for a in answers if a.status == 201}
    assert acknowledged <= created


def test_a_database_that_accepts_and_never_answers_fails_the_request_instead_of_hanging_it(
    redis_server, shared_secrets, tmp_path
):
    """A listener that never says a word, as a partitioned or stuck server: libpq gives up after
    connect_timeout. The first query of the request is the lifecycle middleware's (its table is not
    cached yet), so this is also the 503 of a failure outside any view (Django's 500 handler)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        env = console_env(
            database_url=f"postgres://postgres@127.0.0.1:{port}/console",
            redis_url=redis_server.url(),
            DATABASE_CONNECT_TIMEOUT_SECONDS="2",
            GUNICORN_TIMEOUT="60",  # longer than the client waits: only connect_timeout can answer in time
            **shared_secrets,
        )
        web = Gunicorn(env, tmp_path, workers=1).start()
        try:
            raw, _ = keys.generate()
            answer = request(web.base + "/api/v1/keys/", headers={"X-API-Key": raw}, timeout=30)
            assert_database_unavailable(answer)
            assert web.metric("console_database_unavailable_total") == 1
            assert "Database unavailable (OperationalError" in web.process.read_log()
        finally:
            web.stop()
