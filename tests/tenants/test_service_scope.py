"""Every service refuses another tenant's object, whoever calls it.

The views scope their lookups first; the services check again, for the caller that forgot (a new
view, a task, a shell). This walks every public function of every app's services package that
takes an actor and a tenant or a tenant-owned object, calls it as acme's owner with globex's
object, and proves it refuses (NotInScope: "not found") and changes nothing. A new service function
of that shape must be declared here, or the completeness test fails.
"""

import importlib
import inspect
import pkgutil
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.services import keys as key_services
from governance.models import DeprecationExemption, WebhookDelivery
from tenants.models import AuditEvent, Invitation, Tenant
from tenants.principal import Principal
from tenants.querysets import is_tenant_owned
from tenants.roles import Role
from tenants.services.errors import NotAllowed, NotInScope
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.governance.api_endpoints_deprecations import make_deprecation, make_webhook

APPS = ("tenants", "apikeys", "governance")

# Services only platform staff (or an API's owners) may call at all: a tenant's owner is refused
# before the tenant is looked at, which refuses globex's object just as well.
STAFF_ONLY = {
    "tenants.services.tenants.suspend_tenant",
    "tenants.services.tenants.reactivate_tenant",
    "governance.services.deprecations.grant_exemption",
    "governance.services.deprecations.end_exemption",
}


def _takes_tenant_owned(parameter: inspect.Parameter) -> bool:
    annotation = parameter.annotation
    if parameter.name == "tenant" or annotation is Tenant:
        return True
    return isinstance(annotation, type) and hasattr(annotation, "_meta") and is_tenant_owned(annotation)


def scoped_service_functions() -> set[str]:
    """Public service functions with an `actor` and a tenant or tenant-owned parameter."""
    found = set()
    for app in APPS:
        package = importlib.import_module(f"{app}.services")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{app}.services.{info.name}")
            for name, function in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__:
                    continue
                parameters = inspect.signature(function).parameters
                if "actor" in parameters and any(_takes_tenant_owned(p) for p in parameters.values()):
                    found.add(f"{module.__name__}.{name}")
    return found


def _delivery(endpoint) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        tenant=endpoint.tenant,
        endpoint=endpoint,
        event_type="deprecation.milestone",
        message_id=f"msg_scope_{endpoint.pk}",
        payload={"type": "deprecation.milestone"},
        status=WebhookDelivery.Status.GAVE_UP,
    )


def _exemption(tenant) -> DeprecationExemption:
    return DeprecationExemption.objects.create(
        schedule=make_deprecation(tenant), tenant=tenant, reason="pilot", expires_at=timezone.now() + timedelta(days=9)
    )


# name -> (build globex's object(s), the call's keyword arguments from them, the row to watch)
CASES = {
    "apikeys.services.keys.update_key": (
        lambda g: key_services._new_key_row(tenant=g, environment="live", name="ci", scopes=["keys:read"])[0],
        lambda key: {"api_key": key, "name": "taken over"},
        lambda key: key,
    ),
    "apikeys.services.keys.rotate_key": (
        lambda g: key_services._new_key_row(tenant=g, environment="live", name="ci", scopes=["keys:read"])[0],
        lambda key: {"api_key": key},
        lambda key: key,
    ),
    "apikeys.services.keys.revoke_key": (
        lambda g: key_services._new_key_row(tenant=g, environment="live", name="ci", scopes=["keys:read"])[0],
        lambda key: {"api_key": key},
        lambda key: key,
    ),
    "apikeys.services.keys.follow_creator_change": (
        lambda g: key_services._new_key_row(
            tenant=g, environment="live", name="ci", scopes=["keys:read"], created_by=MembershipFactory(tenant=g).user
        )[0],
        lambda key: {"tenant": key.tenant, "user_id": key.created_by_id, "role": None},
        lambda key: key,
    ),
    "tenants.services.clients.update_oauth_client": (
        lambda g: ApplicationFactory(tenant=g),
        lambda app: {"application": app, "name": "taken over"},
        lambda app: app,
    ),
    "tenants.services.clients.rotate_client_secret": (
        lambda g: ApplicationFactory(tenant=g),
        lambda app: {"application": app},
        lambda app: app,
    ),
    "tenants.services.clients.delete_oauth_client": (
        lambda g: ApplicationFactory(tenant=g),
        lambda app: {"application": app},
        lambda app: app,
    ),
    "tenants.services.credentials.follow_member_change": (
        lambda g: ApplicationFactory(tenant=g, created_by=MembershipFactory(tenant=g, role=Role.ADMIN).user),
        lambda app: {"tenant": app.tenant, "user": app.created_by, "role": None},
        lambda app: app,
    ),
    "tenants.services.invitations.revoke_invitation": (
        lambda g: Invitation.objects.create(
            tenant=g, email="new@globex.test", role=Role.VIEWER, expires_at=timezone.now() + timedelta(days=3)
        ),
        lambda invitation: {"invitation": invitation},
        lambda invitation: invitation,
    ),
    "tenants.services.members.add_member": (
        lambda g: SimpleNamespace(tenant=g, user=UserFactory()),
        lambda o: {"tenant": o.tenant, "user": o.user, "role": Role.ADMIN},
        lambda o: o.tenant,
    ),
    "tenants.services.members.change_member_role": (
        lambda g: MembershipFactory(tenant=g, role=Role.VIEWER),
        lambda membership: {"membership": membership, "role": Role.ADMIN},
        lambda membership: membership,
    ),
    "tenants.services.members.remove_member": (
        lambda g: MembershipFactory(tenant=g, role=Role.VIEWER),
        lambda membership: {"membership": membership},
        lambda membership: membership,
    ),
    "tenants.services.tenants.update_tenant": (lambda g: g, lambda t: {"tenant": t, "name": "Taken"}, lambda t: t),
    "tenants.services.tenants.suspend_tenant": (lambda g: g, lambda t: {"tenant": t}, lambda t: t),
    "tenants.services.tenants.reactivate_tenant": (lambda g: g, lambda t: {"tenant": t}, lambda t: t),
    "governance.services.deprecations.grant_exemption": (
        lambda g: SimpleNamespace(tenant=g, schedule=make_deprecation(g)),
        lambda o: {
            "schedule": o.schedule,
            "tenant": o.tenant,
            "reason": "x",
            "expires_at": timezone.now() + timedelta(days=5),
        },
        lambda o: o.schedule,
    ),
    "governance.services.deprecations.end_exemption": (_exemption, lambda e: {"exemption": e}, lambda e: e),
    "governance.services.webhooks.update_endpoint": (
        make_webhook,
        lambda endpoint: {"endpoint": endpoint, "description": "taken over"},
        lambda endpoint: endpoint,
    ),
    "governance.services.webhooks.rotate_secret": (
        make_webhook,
        lambda endpoint: {"endpoint": endpoint},
        lambda endpoint: endpoint,
    ),
    "governance.services.webhooks.delete_endpoint": (
        make_webhook,
        lambda endpoint: {"endpoint": endpoint},
        lambda endpoint: endpoint,
    ),
    "governance.services.webhooks.send_test_event": (
        make_webhook,
        lambda endpoint: {"endpoint": endpoint},
        lambda endpoint: endpoint,
    ),
    "governance.services.webhooks.retry_delivery": (
        lambda g: _delivery(make_webhook(g)),
        lambda delivery: {"delivery": delivery},
        lambda delivery: delivery,
    ),
}


def test_every_scoped_service_function_is_declared_here():
    assert scoped_service_functions() == set(CASES)


def _row(obj) -> dict | None:
    manager = type(obj)._default_manager
    queryset = manager.across_tenants() if hasattr(manager, "across_tenants") else manager.all()
    return queryset.filter(pk=obj.pk).values().first()


def _resolve(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("dotted", sorted(CASES))
def test_a_service_refuses_another_tenants_object(dotted, acme, globex, owner):
    build, arguments, watched = CASES[dotted]
    target = build(globex)
    watched_before = _row(watched(target))
    globex_rows_before = {
        "keys": ApiKey.objects.for_tenant(globex).count(),
        "members": globex.memberships.count(),
        "audit": AuditEvent.objects.for_tenant(globex).count(),
        "exemptions": DeprecationExemption.objects.for_tenant(globex).count(),
    }
    actor = Principal.for_member(owner, acme, Role.OWNER)

    expected = NotAllowed if dotted in STAFF_ONLY else NotInScope
    with pytest.raises(expected):
        _resolve(dotted)(actor=actor, **arguments(target))

    assert _row(watched(target)) == watched_before
    assert {
        "keys": ApiKey.objects.for_tenant(globex).count(),
        "members": globex.memberships.count(),
        "audit": AuditEvent.objects.for_tenant(globex).count(),
        "exemptions": DeprecationExemption.objects.for_tenant(globex).count(),
    } == globex_rows_before
