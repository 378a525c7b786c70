"""Tenant-owned models fail closed: a query that names no tenant raises instead of returning every
tenant's rows (tenants/querysets.py), and the staff console says so on purpose (AcrossTenantsMixin)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Count, Q

from apikeys.models import ApiKey
from governance.models import WebhookDelivery
from tenants.admin.staff import AcrossTenantsMixin
from tenants.models import Application, Membership
from tenants.principal import Principal
from tenants.querysets import UnscopedQuery, is_tenant_owned
from tenants.roles import Role
from tests.factories import ApplicationFactory
from tests.governance.api_endpoints_deprecations import make_deprecation, make_webhook

TENANT_OWNED = sorted((m for m in apps.get_models() if is_tenant_owned(m)), key=lambda m: m._meta.label)


def test_every_model_with_a_tenant_column_is_tenant_owned():
    """A model that stores a tenant gets the fail-closed manager (a new one can't forget it)."""
    with_tenant = {
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in ("tenants", "apikeys", "governance")
        and any(f.name == "tenant" and f.is_relation for f in m._meta.get_fields())
    }
    assert with_tenant <= {m._meta.label for m in TENANT_OWNED}
    assert len(TENANT_OWNED) >= 11


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
@pytest.mark.parametrize(
    "read",
    [
        lambda qs: list(qs),
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: qs.get(pk=1),
        lambda qs: list(qs.values_list("pk", flat=True)),
        lambda qs: qs.aggregate(n=Count("pk")),
        lambda qs: list(qs.iterator()),
        lambda qs: qs.update(pk=0),
        lambda qs: qs.delete(),
    ],
    ids=["iterate", "count", "exists", "first", "get", "values_list", "aggregate", "iterator", "update", "delete"],
)
def test_an_unscoped_query_of_a_tenant_owned_model_raises(db, model, read):
    with pytest.raises(UnscopedQuery, match=model.__name__):
        read(model.objects.all())


def test_a_filter_that_only_joins_the_tenant_or_ors_it_is_not_a_scope(acme):
    with pytest.raises(UnscopedQuery):
        list(ApiKey.objects.filter(tenant__slug="acme"))
    with pytest.raises(UnscopedQuery):
        list(ApiKey.objects.filter(Q(tenant=acme) | Q(name="x")))
    with pytest.raises(UnscopedQuery):
        list(ApiKey.objects.exclude(tenant=acme))


def test_naming_the_tenant_scopes_the_query(acme, globex, owner, outsider):
    mine = ApplicationFactory(tenant=acme, created_by=owner)
    theirs = ApplicationFactory(tenant=globex, created_by=outsider)
    principal = Principal.for_member(owner, acme, Role.OWNER)

    assert list(Application.objects.for_tenant(acme)) == [mine]
    assert list(Application.objects.for_principal(principal)) == [mine]
    assert list(Application.objects.filter(tenant=acme)) == [mine]
    assert list(Application.objects.filter(tenant_id__in=[globex.pk])) == [theirs]
    assert list(acme.oauth_clients.all()) == [mine]  # a related manager of the tenant itself
    assert Application.objects.for_principal(Principal(tenant=None)).count() == 0
    assert set(Application.objects.across_tenants()) == {mine, theirs}


def test_a_related_manager_of_a_tenant_owned_object_is_scoped_by_its_parent(acme):
    endpoint = make_webhook(acme)
    WebhookDelivery.objects.create(
        tenant=acme, endpoint=endpoint, event_type="deprecation.milestone", message_id="msg_parent", payload={}
    )
    assert [d.message_id for d in endpoint.deliveries.all()] == ["msg_parent"]


def test_a_related_manager_of_a_shared_object_is_not_a_scope(acme):
    """A deprecation schedule is shared by every tenant: its notices are everyone's."""
    schedule = make_deprecation(acme)
    with pytest.raises(UnscopedQuery):
        list(schedule.notices.all())
    assert list(schedule.notices.filter(tenant=acme)) == []


def test_a_client_finds_itself_by_its_client_id(acme, owner):
    """django-oauth-toolkit's validator looks the client up by the id it presents."""
    app = ApplicationFactory(tenant=acme, created_by=owner)
    assert Application.objects.get(client_id=app.client_id) == app
    assert not Application.objects.filter(client_id=None).exists()
    with pytest.raises(UnscopedQuery):
        Application.objects.get(name=app.name)


def test_the_user_sees_their_own_memberships_across_tenants(acme, globex, owner):
    Membership.objects.create(user=owner, tenant=globex, role=Role.VIEWER)
    assert [m.tenant.slug for m in Membership.objects.of_user(owner)] == ["acme", "globex"]


def test_every_admin_of_tenant_owned_rows_reads_across_tenants_on_purpose():
    """Admins (and their inlines) of a tenant-owned model, or with a foreign key to one, take the
    explicit escape; without it their pages would raise."""
    missing = []
    for model, model_admin in admin.site._registry.items():
        classes = [(model, type(model_admin))]
        classes += [(inline.model, inline) for inline in model_admin.inlines]
        for shown, admin_class in classes:
            related = [f.related_model for f in shown._meta.get_fields() if f.is_relation and f.many_to_one]
            if (
                is_tenant_owned(shown) or any(r is not None and is_tenant_owned(r) for r in related)
            ) and not issubclass(admin_class, AcrossTenantsMixin):
                missing.append(f"{admin_class.__module__}.{admin_class.__name__}")
    assert missing == []


def test_staff_see_every_tenants_rows_in_the_admin(admin_client, acme, globex, owner, outsider):
    ApplicationFactory(tenant=acme, created_by=owner, name="acme client")
    ApplicationFactory(tenant=globex, created_by=outsider, name="globex client")
    response = admin_client.get("/admin/tenants/application/")
    assert response.status_code == 200
    assert b"acme client" in response.content and b"globex client" in response.content


def test_start_up_refuses_an_api_view_over_tenant_owned_rows_that_is_not_scoped(settings):
    """The check runs with every manage.py command (and so before gunicorn starts in the image)."""
    import types

    from django.urls import clear_url_caches, path
    from rest_framework import viewsets

    from tenants.api.base import TenantScopedViewSet
    from tenants.checks import tenant_owned_views_are_scoped

    class LeakyKeys(viewsets.ReadOnlyModelViewSet):
        queryset = ApiKey.objects.all()

    class WronglyScoped(TenantScopedViewSet):
        queryset = ApiKey.objects.none().model._base_manager.all()

    urls = types.ModuleType("planted_urls")
    urls.urlpatterns = [
        path("leaky/", LeakyKeys.as_view({"get": "list"})),
        path("wrong/", WronglyScoped.as_view({"get": "list"})),
    ]
    assert tenant_owned_views_are_scoped() == []  # the console's own URLconf passes
    settings.ROOT_URLCONF = urls
    clear_url_caches()
    try:
        ids = sorted(error.id for error in tenant_owned_views_are_scoped())
    finally:
        clear_url_caches()
    assert ids == ["tenants.E001", "tenants.E002"]
