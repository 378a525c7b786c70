"""The cross-tenant harness of the portal (the self-service pages), like tests/harness.py for the API:
every portal URL that names an object declares itself here once, and tests/test_portal_cross_tenant.py
checks each of its methods (GET pages and POST actions) as

- the owner of the object's tenant: the page answers, and a POST does what it says (the object's
  state changes, so the state read here is the one the action touches);
- an outsider (another tenant's owner, every permission): 404, and the object, its related rows
  and the tenant's audit trail are unchanged;
- a member of both tenants working in the other one: 404 as well (the scope is the current tenant,
  not every tenant the person belongs to);

and that every portal URL pattern taking a parameter is declared, as a `Page` or as `Unscoped` with
the reason, and with the methods its view answers: a new portal view must join.

How a page joins
----------------
    Page(
        "keys:revoke",                       # the URL's name, with its namespace
        methods=("get", "post"),             # what the view answers (checked against the view)
        make=make_key,                       # tenant -> a new object of that tenant
        data=lambda obj: {...},              # the POST body (optional)
        related=lambda obj: [...],           # other rows the action changes (optional)
    )

The object's state is its own row (read past any scope, None once deleted) plus `related(obj)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apikeys.models import ApiKey
from governance.models import MigrationLedgerEntry, WebhookDelivery
from tenants.models import Membership
from tenants.roles import Role
from tests.apikeys.api_endpoints import make_key
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.governance.api_endpoints_deprecations import make_deprecation, make_webhook
from tests.tenants.api_endpoints import make_invitation

PORTAL_PREFIX = "portal/"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Page:
    url_name: str
    methods: tuple[str, ...]
    make: Callable[[Any], Any]
    kwargs: Callable[[Any], dict] = lambda obj: {"pk": obj.pk}
    data: Callable[[Any], dict] | None = None
    related: Callable[[Any], Any] | None = None
    # The owner's POST changes the object's state (False: an action that changes nothing stored,
    # like switching the current tenant).
    post_changes_state: bool = True
    # A person who belongs to the object's tenant may reach it from another current tenant (the
    # tenant switcher: its object is the membership of the person themself).
    reachable_by_members_elsewhere: bool = False

    def url(self, obj) -> str:
        return reverse(self.url_name, kwargs=self.kwargs(obj))

    def body(self, obj) -> dict:
        return self.data(obj) if self.data else {}

    def state(self, obj):
        """The object's row (None once deleted) and the related rows the actions change."""
        row = type(obj)._base_manager.filter(pk=obj.pk).values().first()
        return row, self.related(obj) if self.related else None


@dataclass(frozen=True)
class Unscoped:
    """A portal URL with a parameter that names no tenant's object, and why."""

    url_name: str
    reason: str


def _member(tenant):
    return MembershipFactory(tenant=tenant, role=Role.VIEWER, user=UserFactory())


def _client(tenant):
    return ApplicationFactory(tenant=tenant, created_by=UserFactory())


def _key_rows(api_key):
    """Rotation writes a new key next to the old one: the tenant's keys, by id."""
    return list(
        ApiKey._base_manager.filter(tenant_id=api_key.tenant_id).order_by("pk").values_list("pk", "valid_until")
    )


def _ledger(schedule):
    return list(
        MigrationLedgerEntry._base_manager.filter(schedule=schedule)
        .order_by("pk")
        .values_list("tenant_id", "state", "acknowledged_at")
    )


def _deliveries(endpoint):
    return list(WebhookDelivery._base_manager.filter(endpoint=endpoint).order_by("pk").values_list("pk", "status"))


def _memberships(membership):
    return list(
        Membership._base_manager.filter(tenant_id=membership.tenant_id).order_by("pk").values_list("pk", "role")
    )


PAGES: list[Page] = [
    # tenants: members, invitations, OAuth clients
    Page("portal:member-role", ("post",), _member, data=lambda m: {"role": Role.DEVELOPER}, related=_memberships),
    Page("portal:member-remove", ("get", "post"), _member, related=_memberships),
    Page("portal:invitation-revoke", ("post",), make_invitation),
    Page("portal:client-detail", ("get",), _client),
    Page("portal:client-rotate", ("get", "post"), _client),
    Page("portal:client-delete", ("get", "post"), _client),
    Page(
        "portal:switch-tenant",
        ("post",),
        lambda tenant: tenant,
        kwargs=lambda tenant: {"slug": tenant.slug},
        post_changes_state=False,
        reachable_by_members_elsewhere=True,
    ),
    # apikeys
    Page("keys:rotate", ("get", "post"), make_key, data=lambda k: {"overlap": "1h"}, related=_key_rows),
    Page("keys:revoke", ("get", "post"), make_key, related=_key_rows),
    # governance: deprecations and webhooks
    Page("governance:acknowledge", ("post",), make_deprecation, related=_ledger),
    Page("governance:webhook-detail", ("get",), make_webhook, related=_deliveries),
    Page("governance:webhook-test", ("post",), make_webhook, related=_deliveries),
    Page("governance:webhook-delete", ("get", "post"), make_webhook, related=_deliveries),
]

UNSCOPED: list[Unscoped] = [
    Unscoped(
        "portal:password-reset-confirm",
        "a signed, expiring token for one user's password; no tenant's object (Django's own view)",
    ),
    Unscoped(
        "portal:accept-invitation",
        "the invitation's signed token is the capability: whoever holds the e-mailed link may open it, "
        "signed in or not, in any current tenant (tests/tenants/test_portal.py)",
    ),
    Unscoped(
        "governance:changelog",
        "catalog data every tenant reads alike (public and partner API versions); visibility, not "
        "tenancy, decides (tests/governance/test_deprecation_portal.py)",
    ),
]


def declared() -> dict[str, Page | Unscoped]:
    entries: list[Page | Unscoped] = [*PAGES, *UNSCOPED]
    names = [e.url_name for e in entries]
    assert len(names) == len(set(names)), "a portal URL is declared twice"
    return {e.url_name: e for e in entries}


def portal_patterns_with_parameters() -> dict[str, URLPattern]:
    """Every URL pattern under /portal/ that takes a parameter, by its namespaced name."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                walk(pattern.url_patterns, route, inner)
            elif route.startswith(PORTAL_PREFIX) and pattern.pattern.converters:
                assert pattern.name, f"the portal URL {route} has no name"
                found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern

    walk(get_resolver().url_patterns, "", "")
    return found


def view_methods(pattern: URLPattern) -> tuple[str, ...]:
    """The HTTP methods the pattern's view answers (beyond HEAD/OPTIONS)."""
    view = pattern.callback.view_class  # type: ignore[attr-defined]
    return tuple(m for m in HTTP_METHODS if m in view.http_method_names and hasattr(view, m))


def cases(*, members_elsewhere: bool = False):
    import pytest

    return [
        pytest.param(page, method, id=f"{page.url_name}-{method}")
        for page in PAGES
        for method in page.methods
        if not (members_elsewhere and page.reachable_by_members_elsewhere)
    ]


def call(client, page: Page, method: str, obj):
    url = page.url(obj)
    return client.get(url) if method == "get" else getattr(client, method)(url, page.body(obj))
