"""The API keeps its own contract: schemathesis runs every operation of the published OpenAPI
document against the console, in process (WSGI) on the test database, and holds each answer to the
document with its default checks:

- no 5xx; every status code and content type answered is documented for the operation, and every
  body matches the schema of its status (problem+json errors included);
- a request the schema allows is accepted (2xx, or a documented refusal such as 404, 409) and one
  it forbids (negative mode: wrong types, missing required fields, ...) is refused with a 4xx;
- a method the document doesn't list answers 405 with an `Allow` header.

Each operation runs twice, with an API key and with an OAuth token, each holding every scope. Every
other valid request names real objects of the caller's tenant (a member, a key, a webhook, an API
of the catalog...) instead of generated ids, so the success answers are checked too, not only 404s.

Bounded and repeatable: a fixed seed, derandomized generation, no example database and
MAX_EXAMPLES per operation and mode. Run it alone with

    make test PYTEST_ARGS=tests/test_api_contract.py
"""

import hashlib
import itertools
import json
import re
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from apikeys.services import keys as key_services
from config.wsgi import application
from governance.models import Api, ApiVersion, LifecycleState, Review, SpecRevision
from tenants.principal import Principal
from tenants.roles import Role
from tests import harness
from tests.factories import ApplicationFactory, issue_token

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 8  # per operation and generation mode (positive, negative)
# A ceiling per request, not a speed target (they take tens of milliseconds): only a request that
# hangs or does unbounded work reaches it, even on a loaded machine.
DEADLINE = timedelta(seconds=10)
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default for valid requests

# Operations whose valid bodies must also pass a rule no OpenAPI schema can state. A request the
# schema allows may be refused there with a 400 that names the rule; every other check still holds.
RULES_BEYOND_THE_SCHEMA = {
    "POST /api/v1/oauth-clients/": "redirect URIs: required for authorization code, each checked by the "
    "OAuth toolkit (allowed scheme, a host, no fragment)",
    "PATCH /api/v1/oauth-clients/{id}/": "redirect URIs, as above",
    "POST /api/v1/webhooks/": "the URL's host must resolve to public addresses only (SSRF policy)",
    "PATCH /api/v1/webhooks/{id}/": "the URL, as above",
    "POST /api/v1/keys/": "the scopes a credential may hand out depend on the caller's role and own scopes "
    "(tenants/grants.py); a rate limit must fit the tenant's plan",
    "PATCH /api/v1/keys/{id}/": "the scopes, as above",
    "GET /api/v1/usage/": "`start` must not be after `end`",
}

CONTRACT = schemathesis.Config.from_dict(
    {
        "seed": 9457,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # DRF refuses NUL in every string field (a 400); no client sends one and no schema says so.
            "allow-x00": False,
        },
        "operations": [
            {
                "include-name": name,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for name in RULES_BEYOND_THE_SCHEMA
        ],
    }
)


def published_document() -> dict:
    """The document /api/v1/schema/ serves (test_the_contract_is_the_served_document checks it),
    built without a request: the suite's database is not open while tests are collected."""
    generator = SchemaGenerator(api_version="v1")
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(published_document(), config=CONTRACT)
schema.app = application  # calls go to the WSGI app in this process, on the test database


@pytest.fixture
def requests_share_the_test_transaction():
    """Django closes the database connection at the end of each request; the test client turns that
    off, a WSGI client doesn't: without this the first call would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _catalog_version() -> ApiVersion:
    """A public API with an active version, its published document and one review of it."""
    api = Api.objects.create(slug="contract", name="Contract")
    version = ApiVersion.objects.create(api=api, version="v1", base_path="/contract/v1", state=LifecycleState.ACTIVE)
    document = '{"openapi": "3.0.3", "info": {"title": "Contract", "version": "1"}, "paths": {}}'
    revision = SpecRevision.objects.create(
        version=version,
        document=document,
        content_hash=hashlib.sha256(document.encode()).hexdigest(),
        size=len(document),
        source=SpecRevision.Source.CLI,
    )
    version.published_revision = revision
    version.save(update_fields=["published_revision"])
    Review.objects.create(version=version, revision=revision, status=Review.Status.MERGED)
    return version


CATALOG = "/api/v1/apis/{api_slug}/"


class RealObjects:
    """Path parameters naming a real object of the tenant for an operation, made on first use (one
    per resource, by the `make` the cross-tenant harness declares) and kept for the test."""

    def __init__(self, tenant) -> None:
        self.tenant = tenant
        self.turns = itertools.count()
        self.made: dict[str, dict] = {}
        self.makers = {
            f"{endpoint.url}{{id}}/": endpoint.make  # and its actions: .../{id}/revoke/
            for endpoint in harness.discover()
            if not (endpoint.singleton or endpoint.shared)
        }

    def take_turn(self) -> bool:
        """Every other valid request names a real object; the rest keep their generated ids.
        (Not a Hypothesis draw: `schema.given` would switch schemathesis' coverage phase off.)"""
        return next(self.turns) % 2 == 0

    def parameters_for(self, path: str) -> dict:
        if path.startswith(CATALOG):
            return self._catalog(path)
        template = next((t for t in self.makers if path.startswith(t)), None)
        if template is None:
            return {}
        if template not in self.made:
            with transaction.atomic():
                self.made[template] = {"id": self.makers[template](self.tenant).pk}
        return self.made[template]

    def _catalog(self, path: str) -> dict:
        if CATALOG not in self.made:
            version = _catalog_version()
            self.made[CATALOG] = {
                "api_slug": version.api.slug,
                "label": version.version,
                "id": version.reviews.get().pk,
            }
        names = {"api_slug", "label", "id"} & set(re.findall(r"{(\w+)}", path))
        return {name: value for name, value in self.made[CATALOG].items() if name in names}


@pytest.fixture
def real_objects(acme, requests_share_the_test_transaction) -> RealObjects:
    return RealObjects(acme)


@pytest.fixture(params=["api-key", "oauth-token"])
def credential(request, acme, owner, requests_share_the_test_transaction) -> dict[str, str]:
    """The headers of a credential of acme's owner holding every scope it can hold: an API key
    (every scope but the gateway's `keys:verify`), or a client-credentials token of a gateway
    client (every scope)."""
    every_scope = sorted(harness.ALL_SCOPES)
    if request.param == "api-key":
        actor = Principal.for_member(owner, acme, Role.OWNER)
        scopes = [s for s in every_scope if s != "keys:verify"]
        with transaction.atomic():
            _, raw = key_services.create_key(actor=actor, name="contract", scopes=scopes)
        return {"X-API-Key": raw}
    app = ApplicationFactory.create(tenant=acme, allowed_scopes=every_scope, is_gateway=True, created_by=owner)
    return {"Authorization": f"Bearer {issue_token(app, every_scope)}"}


@schema.parametrize()
@settings(deadline=DEADLINE, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_keeps_the_contract(case, credential, real_objects):
    if case.path_parameters and case.meta.generation.mode.is_positive and real_objects.take_turn():
        case.path_parameters = {**case.path_parameters, **real_objects.parameters_for(case.operation.path)}
    case.call_and_validate(headers=credential)


def test_the_contract_is_the_served_document(anon_client, settings):
    # Served from SITE_URL's own host, the document names the same server as one built without a
    # request (the servers and examples carry the address the reader fetched it from).
    host = settings.SITE_URL.split("://", 1)[1]
    response = anon_client.get("/api/v1/schema/", {"format": "json"}, HTTP_HOST=host)

    assert response.status_code == 200
    assert response.json() == published_document()
