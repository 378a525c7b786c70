"""The keys endpoints, declared for the cross-tenant harness (see tests/harness.py)."""

from django.db import transaction

from apikeys import services
from tenants.principal import Principal
from tests.harness import Action, Endpoint, register


def make_key(tenant):
    with transaction.atomic():
        api_key, _ = services.create_key(actor=Principal.system(tenant), name="harness key", scopes=["keys:read"])
    return api_key


register(
    Endpoint(
        name="api-keys",
        url="/api/v1/keys/",
        make=make_key,
        actions=[
            *Action.reads("keys:read", "keys.view"),
            Action.create("keys:write", "keys.manage", payload={"name": "ci", "scopes": ["keys:read"]}),
            Action.update("keys:write", "keys.manage", payload={"name": "renamed"}),
            Action.custom("rotate", "keys:write", "keys.manage", payload={"overlap": "1h"}, success=201),
            Action.custom("revoke", "keys:write", "keys.manage"),
        ],
    )
)
