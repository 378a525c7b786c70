"""Tenant-scoped reads. Every tenant-owned model's default manager is built from these querysets,
and the API's base viewset calls `for_principal` in one place, so a view can't forget the scope.

Fail closed: a query of a tenant-owned model that names no tenant raises `UnscopedQuery` when it
runs (iterated, counted, tested for existence, aggregated, updated or deleted), instead of
returning every tenant's rows. A query names its tenant when it is

- `for_tenant(t)` / `for_principal(p)`, or filters the tenant column itself (`filter(tenant=t)`,
  `filter(tenant_id=...)`, `filter(tenant__in=...)`, at the top level of the WHERE clause);
- a related manager of an object that is itself tenant-owned (`api_key.usage_records.all()`): the
  parent was loaded through a scope;
- a model's own principal lookup (`credential_lookups`: an OAuth client finding itself by its
  client id, which django-oauth-toolkit does).

Staff pages, tasks and the request path, which work across tenants by design, say so with the one
greppable escape: `Model.objects.across_tenants()`.
"""

from django.db import models
from django.db.models.lookups import Exact, In, IsNull


class UnscopedQuery(RuntimeError):
    """A tenant-owned model was queried without naming its tenant (see this module's docstring)."""


def is_tenant_owned(model) -> bool:
    """Whether the model's default manager is tenant-scoped (built from TenantScopedQuerySet)."""
    queryset_class = getattr(model._default_manager, "_queryset_class", None)
    return queryset_class is not None and issubclass(queryset_class, TenantScopedQuerySet)


class TenantScopedQuerySet(models.QuerySet):
    tenant_field = "tenant"
    # Exact lookups that identify one row by a credential its holder presents (see the docstring).
    credential_lookups: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scoped = False

    def _clone(self):
        clone = super()._clone()
        clone._scoped = self._scoped
        return clone

    def _mark_scoped(self):
        self._scoped = True
        return self

    def for_tenant(self, tenant):
        return self.filter(**{self.tenant_field: tenant})._mark_scoped()

    def for_principal(self, principal):
        if principal is None or principal.tenant is None:
            return self.none()
        return self.for_tenant(principal.tenant)

    def across_tenants(self):
        """Every tenant's rows, on purpose: staff pages, periodic tasks, the request path's key
        lookup. The one escape from the scope; grep for it to review who reads across tenants."""
        return self._chain()._mark_scoped()

    def none(self):
        return super().none()._mark_scoped()

    # --- the check ----------------------------------------------------------------------------

    def _names_its_tenant(self) -> bool:
        if self._scoped or self.query.is_empty():
            return True
        known_related: dict = getattr(self, "_known_related_objects", {})  # set by a related manager
        for field in known_related:
            if field.name == self.tenant_field or is_tenant_owned(field.remote_field.model):
                return True
        where = self.query.where
        if where.connector != "AND" or where.negated:
            return False
        scoping_columns: dict[str | None, tuple[type, ...]] = {self._column(self.tenant_field): (Exact, In)}
        # (IsNull: a request that presented no client id looks for one that is NULL: it finds none.)
        scoping_columns.update({self._column(name): (Exact, IsNull) for name in self.credential_lookups})
        for child in where.children:
            lhs = getattr(child, "lhs", None)
            target = getattr(lhs, "target", None)
            if target is None or getattr(lhs, "alias", None) != self.query.base_table:
                continue
            lookups = scoping_columns.get(getattr(target, "column", None))
            if lookups and isinstance(child, lookups):
                return True
        return False

    def _column(self, field_name: str) -> str | None:
        return getattr(self.model._meta.get_field(field_name), "column", None)

    def _require_scope(self):
        if not self._names_its_tenant():
            raise UnscopedQuery(
                f"{self.model.__name__} is tenant-owned: scope the query with for_tenant() / "
                "for_principal() or a tenant filter, or call across_tenants() on purpose"
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._require_scope()
        return super().update(**kwargs)

    def delete(self):
        self._require_scope()
        return super().delete()

    def in_bulk(self, *args, **kwargs):
        self._require_scope()
        return super().in_bulk(*args, **kwargs)

    def explain(self, **options):
        self._require_scope()
        return super().explain(**options)


class MembershipQuerySet(TenantScopedQuerySet):
    def with_users(self):
        return self.select_related("user", "tenant")

    def roster(self):
        """The members page: each membership with its user and tenant, by e-mail."""
        return self.with_users().order_by("user__email")

    def of_user(self, user):
        """The user's memberships with their tenants, by tenant slug (the tenant switcher's order).
        Scoped by the person: these are the tenants the signed-in user may act in."""
        return self.filter(user=user).select_related("tenant").order_by("tenant__slug")._mark_scoped()

    def owners(self):
        return self.filter(role="owner")

    def co_owners_of(self, membership):
        """The other owners of the membership's tenant (none: it is the last owner)."""
        return self.filter(tenant_id=membership.tenant_id, role="owner").exclude(pk=membership.pk)

    def role_of(self, user_id) -> str | None:
        """The user's role in the queryset's tenant (call after for_tenant), or None."""
        if user_id is None:
            return None
        return self.filter(user_id=user_id).values_list("role", flat=True).first()


class InvitationQuerySet(TenantScopedQuerySet):
    def pending(self):
        from django.utils import timezone

        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_listing(self):
        """With who invited, by e-mail (the members page)."""
        return self.select_related("invited_by").order_by("email")


class ApplicationQuerySet(TenantScopedQuerySet):
    # A client authenticating finds itself by its client id (django-oauth-toolkit's validator does
    # `Application.objects.get(client_id=...)`): the presented credential is the scope.
    credential_lookups = ("client_id",)

    def with_creator(self):
        return self.select_related("created_by")

    def for_listing(self):
        """With their creators, by name (the clients page)."""
        return self.with_creator().order_by("name", "pk")


class AuditEventQuerySet(TenantScopedQuerySet):
    def action_names(self):
        """The distinct actions of these events, alphabetically (the audit page's filter choices)."""
        return self.order_by("action").values_list("action", flat=True).distinct()

    def with_action(self, action: str):
        return self.filter(action=action)

    def newest_first(self):
        return self.order_by("-created_at", "-id")


class UserQuerySet(models.QuerySet):
    def with_email(self, email: str):
        """The accounts of this e-mail address, whatever its case."""
        return self.filter(email__iexact=email)
