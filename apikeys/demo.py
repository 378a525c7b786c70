"""Demo data of the request path for `seed_demo`: one API key for acme, so the keys page and the API
can be tried at once. Its secret is printed the one time it is created, like any key's."""

from apikeys import services
from apikeys.models import ApiKey
from tenants.models import Tenant
from tenants.principal import Principal

DEMO_KEY_NAME = "acme demo key"
DEMO_KEY_SCOPES = ["tenant:read", "members:read", "keys:read", "usage:read", "catalog:read", "deprecations:read"]


def seed_api_key(seeding):
    tenant = Tenant.objects.get(slug="acme")
    if ApiKey.objects.for_tenant(tenant).filter(name=DEMO_KEY_NAME).exists():
        return seeding.kept(f"API key '{DEMO_KEY_NAME}'")
    _key, raw = services.create_key(actor=Principal.system(tenant), name=DEMO_KEY_NAME, scopes=DEMO_KEY_SCOPES)
    seeding.created(
        f"API key '{DEMO_KEY_NAME}' of acme: {raw}  (shown this once; try "
        f"curl -H 'X-API-Key: {raw}' http://127.0.0.1:8000/api/v1/tenant/)"
    )


SEED_STEPS = [seed_api_key]
