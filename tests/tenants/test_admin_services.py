"""Staff edits of tenants, keys, clients, notices and ledger entries go through the services: each
leaves exactly the service's audit event (the staff member as the actor), a refusal is shown on the
page and changes nothing, and what must not be deleted can't be."""

import inspect
import types

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from apikeys import services as key_services
from apikeys.models import ApiKey
from governance.models import DeprecationExemption, DeprecationNotice, DeprecationSchedule, MigrationLedgerEntry
from tenants import services
from tenants.models import Application, AuditEvent, Membership, Tenant
from tenants.principal import Principal
from tenants.roles import Role
from tenants.services.errors import NotAllowed
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

NO_INLINE_ROWS = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def events():
    return list(AuditEvent.objects.across_tenants().order_by("seq"))


def page_messages(response):
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def api_key(acme):
    key, _ = key_services.create_key(actor=Principal.system(acme), name="ci", scopes=["tenant:read"])
    return key


# --- tenants ------------------------------------------------------------------------------------


def test_creating_a_tenant_leaves_the_services_event(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:tenants_tenant_add"),
        {"slug": "initech", "name": "Initech", "plan": "standard", "rate_quota": "500", "rate_window": "60"},
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.name, tenant.plan, tenant.rate_quota, tenant.rate_window) == ("Initech", "standard", 500, 60)
    [event] = events()
    assert (event.action, event.actor, event.tenant, event.target_id) == (
        "tenant.created",
        admin_user,
        tenant,
        str(tenant.pk),
    )
    assert event.changes == {
        "slug": "initech",
        "name": "Initech",
        "plan": "standard",
        "rate_quota": 500,
        "rate_window": 60,
    }


def test_editing_a_tenant_leaves_one_update_event_with_what_changed(admin_client, admin_user, acme):
    response = admin_client.post(
        change_url(acme),
        {"name": "Acme Corp", "plan": "enterprise", "rate_quota": "900", "rate_window": "60", **NO_INLINE_ROWS},
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.plan, acme.rate_quota, acme.rate_window) == ("Acme Corp", "enterprise", 900, 60)
    [event] = events()
    assert (event.action, event.actor, event.tenant) == ("tenant.updated", admin_user, acme)
    assert event.changes == {
        "name": ["Acme", "Acme Corp"],
        "plan": ["free", "enterprise"],
        "rate_quota": [None, 900],
        "rate_window": [None, 60],
    }


def test_saving_a_tenant_unchanged_records_nothing(admin_client, acme):
    response = admin_client.post(change_url(acme), {"name": acme.name, "plan": acme.plan, **NO_INLINE_ROWS})
    assert response.status_code == 302
    assert events() == []


def test_tenants_are_suspended_never_deleted_in_the_admin(admin_client, admin_user, rf, acme):
    assert admin_client.post(delete_url(acme), {"post": "yes"}).status_code == 403
    request = rf.get("/")
    request.user = admin_user
    assert "delete_selected" not in admin.site._registry[Tenant].get_actions(request)
    assert Tenant.objects.filter(pk=acme.pk).exists() and events() == []


def test_only_staff_change_a_tenants_plan_or_budget(acme, owner):
    member = Principal.for_member(owner, acme, Role.OWNER)
    with pytest.raises(NotAllowed):
        services.update_tenant(actor=member, tenant=acme, name="Acme 2", plan="enterprise")
    with pytest.raises(NotAllowed):
        services.update_tenant(actor=member, tenant=acme, rate_quota=10_000, rate_window=1)
    acme.refresh_from_db()
    assert (acme.name, acme.plan, acme.rate_quota) == ("Acme", "free", None) and events() == []
    services.update_tenant(actor=member, tenant=acme, name="Acme 2")  # renaming stays theirs
    [event] = events()
    assert event.changes == {"name": ["Acme", "Acme 2"]}


# --- API keys -----------------------------------------------------------------------------------


def test_raising_a_keys_rate_leaves_the_services_event(admin_client, admin_user, acme, api_key):
    before = len(events())  # the key's own creation
    response = admin_client.post(change_url(api_key), {"rate_quota": "5000", "rate_window": "60"})
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.rate_quota, api_key.rate_window) == (5000, 60)
    [event] = events()[before:]
    assert (event.action, event.actor, event.tenant) == ("api_key.updated", admin_user, acme)
    assert event.changes == {"rate_quota": [None, 5000], "rate_window": [None, 60]}


def test_a_refused_key_edit_shows_the_reason_and_changes_nothing(admin_client, api_key):
    before = len(events())
    page = admin_client.post(change_url(api_key), {"rate_quota": "0", "rate_window": "60"})
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["rate_quota"] == ["Quota and window must be positive."]
    api_key.refresh_from_db()
    assert api_key.rate_quota is None and len(events()) == before


def test_keys_are_revoked_never_deleted(admin_client, admin_user, rf, api_key):
    assert admin_client.post(delete_url(api_key), {"post": "yes"}).status_code == 403
    request = rf.get("/")
    request.user = admin_user
    assert "delete_selected" not in admin.site._registry[ApiKey].get_actions(request)
    assert ApiKey.objects.across_tenants().filter(pk=api_key.pk).exists()


def test_revoking_a_revoked_key_says_so_and_records_nothing(admin_client, acme, api_key):
    key_services.revoke_key(actor=Principal.system(acme), api_key=api_key)
    before = len(events())
    response = admin_client.post(
        reverse("admin:apikeys_apikey_changelist"), {"action": "revoke_keys", ACTION_CHECKBOX_NAME: [api_key.pk]}
    )
    assert response.status_code == 302
    assert f"{api_key.lookup_id}: The key is already revoked." in page_messages(response)
    assert "0 keys revoked." in page_messages(response)
    assert len(events()) == before


# --- OAuth clients: a refusal the form can't foresee ------------------------------------------------


def test_a_service_refusal_is_shown_on_the_form_not_a_500(admin_client, acme):
    app = ApplicationFactory(tenant=acme, name="ci", allowed_scopes=["tenant:read"])
    # The form offers every scope; only the service knows keys:verify is for gateway clients.
    page = admin_client.post(
        change_url(app), {"name": "renamed", "redirect_uris": "", "allowed_scopes": ["keys:verify"]}
    )
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert "reserved for platform gateway clients" in str(errors["allowed_scopes"])
    assert b'value="renamed"' in page.content  # the staff member's input is kept
    app.refresh_from_db()
    assert (app.name, app.allowed_scopes) == ("ci", ["tenant:read"])
    assert not AuditEvent.objects.across_tenants().filter(action="oauth_client.updated").exists()


# --- notices and the ledger: read only ----------------------------------------------------------


@pytest.mark.parametrize("model", [DeprecationNotice, MigrationLedgerEntry])
def test_notices_and_ledger_entries_are_never_written_in_the_admin(admin_user, rf, model):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.get_actions(request) == {}


# --- architecture: the admins of these models write through services only ---------------------------

SERVICE_WRITTEN = [Tenant, ApiKey, Membership, Application, DeprecationSchedule, DeprecationExemption]


def _calls_a_service(function) -> bool:
    """Does `function` refer to a services module, or a function defined in one?"""
    names = inspect.getclosurevars(function).globals.values()
    return any(
        (isinstance(value, types.ModuleType) and ".services" in value.__name__)
        or ".services" in getattr(value, "__module__", "")
        for value in names
    )


def _writes_nothing(function) -> bool:
    """A save_model that names nothing (`pass`: every field is read-only) can't save the row."""
    return not function.__code__.co_names


@pytest.mark.parametrize("model", SERVICE_WRITTEN, ids=lambda m: m._meta.label)
def test_admin_writes_of_tenant_data_go_through_services(admin_user, rf, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
        save_model = type(model_admin).save_model
        assert save_model is not admin.ModelAdmin.save_model, "save_model would write the row itself"
        assert _calls_a_service(save_model) or _writes_nothing(save_model)
    if model_admin.has_delete_permission(request):
        assert type(model_admin).delete_model is not admin.ModelAdmin.delete_model
        assert _calls_a_service(type(model_admin).delete_model)
        if "delete_selected" in model_admin.get_actions(request):
            assert _calls_a_service(type(model_admin).delete_queryset)
