"""Start-up checks (`manage.py check`, run by migrate, runserver and the container's entrypoint):
every API view over tenant-owned rows is scoped by the base viewset, or the process won't start."""

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.querysets import TenantScopedQuerySet, is_tenant_owned


def _view_classes(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class is not None:
                yield view_class


@checks.register(checks.Tags.security)
def tenant_owned_views_are_scoped(app_configs=None, **kwargs):
    from tenants.api.base import TenantScopedViewSet

    errors = []
    for view_class in set(_view_classes(get_resolver().url_patterns)):
        queryset = getattr(view_class, "queryset", None)
        name = f"{view_class.__module__}.{view_class.__qualname__}"
        # (No queryset at all: a singleton such as the current tenant, read from the principal.)
        if (
            issubclass(view_class, TenantScopedViewSet)
            and queryset is not None
            and not isinstance(queryset, TenantScopedQuerySet)
        ):
            errors.append(
                checks.Error(
                    f"{name} is a TenantScopedViewSet without a tenant-scoped queryset.",
                    hint="Set `queryset = Model.objects...` of a tenant-owned model.",
                    id="tenants.E001",
                )
            )
        elif (
            queryset is not None and is_tenant_owned(queryset.model) and not issubclass(view_class, TenantScopedViewSet)
        ):
            errors.append(
                checks.Error(
                    f"{name} serves tenant-owned {queryset.model.__name__} rows outside TenantScopedViewSet.",
                    hint="Derive it from tenants.api.base.TenantScopedViewSet, which scopes by the principal.",
                    id="tenants.E002",
                )
            )
    return errors
