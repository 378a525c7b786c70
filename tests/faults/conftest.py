"""Fixtures of the fault tests: private Redis and PostgreSQL servers (the machine's shared ones are
never stopped: other test runs use them), the secrets the console's processes and this test share,
and the URL of this test's database for those processes."""

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.faults.processes import PostgresCluster, RedisServer


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def postgres_cluster():
    # Not under tmp_path: pytest's directories are root's alone, and the server runs as postgres.
    directory = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    try:
        cluster = PostgresCluster(directory).create()
        yield cluster
        cluster.destroy()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def shared_secrets(settings) -> dict[str, str]:
    """Production secrets (the console refuses the development ones with DEBUG off), used by this
    test process too, so keys it issues verify in the processes it starts."""
    pepper = "faults-pepper-" + uuid.uuid4().hex
    settings.APIKEY_PEPPER = pepper
    if hasattr(settings, "APIKEY_PEPPERS"):  # versioned peppers: APIKEY_PEPPER is version 1
        settings.APIKEY_PEPPERS, settings.APIKEY_PEPPER_CURRENT = {1: pepper}, 1
    return {"SECRET_KEY": "faults-secret-" + uuid.uuid4().hex + uuid.uuid4().hex, "APIKEY_PEPPER": pepper}


@pytest.fixture
def test_database_url(transactional_db) -> str:
    """This test's database (committed rows: the test must be transactional) for child processes."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
