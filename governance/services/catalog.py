"""The catalog: APIs and their versions. Lifecycle changes are in lifecycle.py, specs in reviews.py."""

from django.core.exceptions import ValidationError
from django.db import transaction

from governance import permissions
from governance.models import Api, ApiVersion, LifecycleState
from tenants import audit
from tenants.services.errors import NotAllowed

API_FIELDS = (
    "name",
    "description",
    "visibility",
    "min_notice_days_preview",
    "min_notice_days_active",
    "require_successor_for_active",
)


def _require_platform_admin(actor, what: str) -> None:
    if actor.kind == "system":
        return
    if not permissions.is_platform_admin(permissions.actor_user(actor)):
        raise NotAllowed(f"Only platform admins may {what}.")


@transaction.atomic
def create_api(
    *, actor, slug: str, name: str, description: str = "", visibility: str = Api.Visibility.PUBLIC, owners=(), **policy
) -> Api:
    """Register an API (platform admins). `owners` become API owners (guardian own_api)."""
    _require_platform_admin(actor, "register APIs")
    api = Api(slug=slug, name=name, description=description, visibility=visibility, **policy)
    api.full_clean()
    api.save()
    for user in owners:
        permissions.grant_api_owner(user, api)
    audit.record(
        action="api.created",
        actor=actor,
        target=api,
        changes={
            "slug": slug,
            "name": name,
            "visibility": visibility,
            "owners": sorted(u.email for u in owners),
            **policy,
        },
    )
    return api


@transaction.atomic
def update_api(*, actor, api: Api, **fields) -> Api:
    """Change an API's description, visibility or policy (its owners or a platform admin)."""
    permissions.require_api_owner(actor, api)
    unknown = set(fields) - set(API_FIELDS)
    if unknown:
        raise ValueError(f"update_api does not change {', '.join(sorted(unknown))}")
    api = Api.objects.select_for_update().get(pk=api.pk)
    changes = {name: [getattr(api, name), value] for name, value in fields.items() if getattr(api, name) != value}
    for name, value in fields.items():
        setattr(api, name, value)
    api.full_clean()
    api.save()
    if changes:
        audit.record(action="api.changed", actor=actor, target=api, changes=changes)
    return api


@transaction.atomic
def set_api_owners(*, actor, api: Api, owners) -> Api:
    """Replace the owners of an API (platform admins): the object permission follows the list."""
    _require_platform_admin(actor, "change the owners of an API")
    before = set(api.owners.all())
    after = set(owners)
    for user in before - after:
        permissions.revoke_api_owner(user, api)
    for user in after - before:
        permissions.grant_api_owner(user, api)
    if before != after:
        audit.record(
            action="api.owners_changed",
            actor=actor,
            target=api,
            changes={
                "owners": [sorted(u.email for u in before), sorted(u.email for u in after)],
            },
        )
    return api


@transaction.atomic
def create_version(*, actor, api: Api, version: str, base_path: str) -> ApiVersion:
    """A new version starts as a draft without a spec; submit one for review, merge it, then move
    it through the lifecycle."""
    permissions.require_api_owner(actor, api)
    api_version = ApiVersion(
        api=api, version=version, base_path=normalised_base_path(base_path), state=LifecycleState.DRAFT
    )
    api_version.full_clean()
    api_version.save()
    audit.record(
        action="api_version.created",
        actor=actor,
        target=api_version,
        changes={
            "api": api.slug,
            "version": version,
            "base_path": api_version.base_path,
            "state": api_version.state,
        },
    )
    return api_version


@transaction.atomic
def update_version(*, actor, version: ApiVersion, base_path: str) -> ApiVersion:
    """Move where a version is served. Only before it is served to anyone (draft): enforcement and
    clients rely on the base path afterwards."""
    permissions.require_api_owner(actor, version.api)
    version = ApiVersion.objects.select_for_update().select_related("api").get(pk=version.pk)
    base_path = normalised_base_path(base_path)
    if base_path == version.base_path:
        return version
    if version.state != LifecycleState.DRAFT:
        raise ValidationError({"base_path": ["The base path can only change while the version is a draft."]})
    before = version.base_path
    version.base_path = base_path
    version.full_clean()
    version.save(update_fields=["base_path", "updated_at"])
    audit.record(action="api_version.changed", actor=actor, target=version, changes={"base_path": [before, base_path]})
    return version


# The console's own pages and endpoints: a version served there would put them under its
# lifecycle enforcement (a brownout of such a version would answer 410 to the staff console).
RESERVED_PATH_PREFIXES = ("/admin", "/portal", "/o", "/static", "/problems", "/healthz")


def normalised_base_path(base_path: str) -> str:
    base_path = (base_path or "").strip()
    if not base_path.startswith("/"):
        raise ValidationError({"base_path": ['A base path starts with "/", e.g. "/payments/v2".']})
    base_path = base_path.rstrip("/")
    if not base_path:
        raise ValidationError({"base_path": ["A version can't be served at the root: name a path, e.g. /payments/v2."]})
    reserved = next((p for p in RESERVED_PATH_PREFIXES if base_path == p or base_path.startswith(p + "/")), None)
    if reserved:
        raise ValidationError({"base_path": [f"{reserved} belongs to the console itself; choose another path."]})
    return base_path
