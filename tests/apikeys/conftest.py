"""Fixtures of the request-path tests: keys made through the service, clients that present them."""

import pytest
from rest_framework.test import APIClient

from apikeys import services
from apikeys.requestpath import store
from tenants.principal import Principal
from tests.conftest import ALL_SCOPES


@pytest.fixture
def redis_client(settings):
    # tests/conftest.py refuses to start the suite without REDIS_URL, so this is a real Redis.
    return store.client()


@pytest.fixture
def make_key(db, redis_client):
    """make_key(tenant, scopes=ALL_SCOPES, **fields) -> (ApiKey, plain key)."""

    def make(tenant, scopes=ALL_SCOPES, **fields):
        fields.setdefault("name", "test key")
        return services.create_key(actor=Principal.system(tenant), scopes=scopes, **fields)

    return make


@pytest.fixture
def key_client(make_key):
    """key_client(tenant, scopes=ALL_SCOPES, header="bearer", **fields) -> APIClient presenting a
    fresh key (client.api_key, client.raw_key)."""

    def make(tenant, scopes=ALL_SCOPES, header="bearer", **fields):
        api_key, raw = make_key(tenant, scopes, **fields)
        client = APIClient()
        if header == "bearer":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        else:
            client.credentials(HTTP_X_API_KEY=raw)
        client.api_key, client.raw_key = api_key, raw
        return client

    return make


@pytest.fixture
def child_env(settings, redis_client):
    """Environment for a subprocess running Django against this test's database and Redis prefix."""
    import os

    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "true",  # the development secrets of the test run (settings refuse them otherwise)
        "DATABASE_URL": url,
        "APIKEY_REDIS_URL": settings.APIKEY_REDIS_URL,
        "APIKEY_REDIS_PREFIX": settings.APIKEY_REDIS_PREFIX,
        "APIKEY_PEPPER": settings.APIKEY_PEPPER,
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "ERROR",
    }
