"""The cross-tenant API harness: every tenant-owned endpoint declares itself once, and one
parametrised test module (tests/tenants/test_api_cross_tenant.py) checks it as

- the owner, with a session and with a token: every action succeeds;
- admin, developer, viewer and a machine token (client credentials, acts as admin): the action
  succeeds when `tenants.roles` grants the declared permission to that role, else 403
  `permission-denied`;
- an outsider (another tenant's owner with every scope): 404 on every action on the object and the
  object never appears in a list (and is unchanged afterwards);
- a token lacking the declared scope: 403 `insufficient-scope`;
- no credentials: 401 `not-authenticated` (problem+json);

and tests/tenants/test_api_query_counts.py pins each list endpoint's query count (1 row == 50 rows).

How an endpoint joins (later issues: API keys, catalog, webhooks, ...)
----------------------------------------------------------------------
Add a module `tests/<app>/api_endpoints.py` (it is imported by `discover()`) that declares it:

    from tests.harness import Action, Endpoint, register

    register(Endpoint(
        name="api-keys",
        url="/api/v1/api-keys/",
        make=lambda tenant: ApiKeyFactory(tenant=tenant),       # one object owned by `tenant`
        actions=[
            *Action.reads("keys:read", "keys.view"),              # list + retrieve
            Action.create("keys:write", "keys.manage", payload={"name": "ci"}),
            Action.update("keys:write", "keys.manage", payload={"name": "renamed"}),
            Action.destroy("keys:write", "keys.manage"),
            Action.custom("rotate", "keys:write", "keys.manage"),  # POST {url}{id}/rotate/
        ],
    ))

The declaration is the specification: the scope and permission written there are what the tests
expect, so a view that checks something else fails. `make` must build a fresh, valid object (call
it many times: the query-count test makes 50); payloads may be callables taking the object.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import ApplicationFactory, issue_token

ALL_SCOPES = sorted(settings.API_SCOPES)

Payload = dict | Callable[[Any], dict] | None


@dataclass(frozen=True)
class Action:
    """One operation of an endpoint and what it requires."""

    name: str  # the viewset action: list, retrieve, create, partial_update, destroy, or a custom one
    method: str  # get, post, patch, delete
    scope: str
    permission: str
    success: int = 200
    on_object: bool = True  # acts on one object (its detail URL); False: on the collection URL
    suffix: str = ""  # custom actions: appended to the detail URL, e.g. "revoke/"
    payload: Payload = None

    @classmethod
    def reads(cls, scope, permission):
        return [cls("list", "get", scope, permission, on_object=False), cls("retrieve", "get", scope, permission)]

    @classmethod
    def create(cls, scope, permission, payload):
        return cls("create", "post", scope, permission, success=201, on_object=False, payload=payload)

    @classmethod
    def update(cls, scope, permission, payload):
        return cls("partial_update", "patch", scope, permission, payload=payload)

    @classmethod
    def destroy(cls, scope, permission):
        return cls("destroy", "delete", scope, permission, success=204)

    @classmethod
    def custom(cls, name, scope, permission, *, method="post", suffix=None, payload=None, success=200):
        return cls(
            name,
            method,
            scope,
            permission,
            success=success,
            suffix=suffix or f"{name.replace('_', '-')}/",
            payload=payload,
        )

    def body(self, obj) -> dict | None:
        return self.payload(obj) if callable(self.payload) else self.payload


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str  # the collection URL, or the resource URL of a singleton
    make: Callable[[Any], Any]  # tenant -> a new object owned by that tenant
    actions: list[Action] = field(default_factory=list)
    # A singleton (e.g. /tenant/) names no object: an outsider reaches their own, never this one.
    singleton: bool = False
    # Shared data every tenant reads alike (the API catalog): `make` ignores the tenant, and the
    # outsider checks assert that the outsider sees the same rows instead of a 404.
    shared: bool = False

    def detail_url(self, obj) -> str:
        return self.url if self.singleton else f"{self.url}{obj.pk}/"

    def action_url(self, action: Action, obj) -> str:
        if not action.on_object:
            return self.url
        return self.detail_url(obj) + action.suffix

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)


REGISTRY: list[Endpoint] = []


def register(endpoint: Endpoint) -> Endpoint:
    assert all(e.name != endpoint.name for e in REGISTRY), f"endpoint {endpoint.name} declared twice"
    REGISTRY.append(endpoint)
    return endpoint


def discover() -> list[Endpoint]:
    """Import every tests/<app>/api_endpoints.py once; return the declared endpoints."""
    import tests

    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"tests.{module.name}.api_endpoints")
            except ModuleNotFoundError as exc:
                if exc.name != f"tests.{module.name}.api_endpoints":
                    raise
    return REGISTRY


def cases(*, on_object: bool | None = None, scoped_only: bool = False):
    """pytest.param(endpoint, action) for every declared action (optionally only object actions)."""
    import pytest

    params = []
    for endpoint in discover():
        for action in endpoint.actions:
            if on_object is not None and action.on_object != on_object:
                continue
            if scoped_only and not action.scope:
                continue
            params.append(pytest.param(endpoint, action, id=f"{endpoint.name}-{action.name}"))
    return params


def list_endpoints():
    import pytest

    return [pytest.param(e, id=e.name) for e in discover() if e.action("list")]


# --- Callers ------------------------------------------------------------------------------------


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(tenant, scopes=ALL_SCOPES, user=None) -> APIClient:
    """A bearer token of a fresh client of `tenant` (a person's token when `user` is given)."""
    app = ApplicationFactory.create(tenant=tenant, allowed_scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(app, scopes, user=user)}")
    return client


def perform(client: APIClient, endpoint: Endpoint, action: Action, obj):
    """Call `action` of `endpoint` on `obj` (or on the collection) as `client`."""
    send = getattr(client, action.method)
    url, body = endpoint.action_url(action, obj), action.body(obj)
    return send(url) if body is None else send(url, body, format="json")


def listed_ids(response) -> list:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def problem_type(response) -> str:
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    return response.json()["type"]
