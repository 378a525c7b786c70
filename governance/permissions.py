"""Who may govern which API.

Platform staff get Django groups (created by migration 0002):

- "Platform admins": every API, every action (superusers count as platform admins too);
- "API owners": the admin screens; the APIs they own come from the django-guardian object
  permission `governance.own_api` on each Api (granted with `grant_api_owner`);
- "Governance reviewers": approve / reject reviews and waive findings of the APIs on which they hold
  the object permission `governance.review_api`;
- "Support": read-only screens.

The group gives the screens (model permissions); the object permission gives the API. Someone in
"API owners" without `own_api` on an API can see it but not change it, and vice versa a user holding
`own_api` outside the group can still act on it through the API or the CLI.

Tenants' members are never API owners by their tenant role: they consume APIs. A token may submit
specs only for a person who holds `own_api` (see `actor_user`): their own session or token, or a
client staff bound to them.
"""

from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from tenants.services.errors import NotAllowed

PLATFORM_ADMINS = "Platform admins"
API_OWNERS = "API owners"
GOVERNANCE_REVIEWERS = "Governance reviewers"
SUPPORT = "Support"
STAFF_GROUPS = (PLATFORM_ADMINS, API_OWNERS, GOVERNANCE_REVIEWERS, SUPPORT)

OWN_API = "governance.own_api"
REVIEW_API = "governance.review_api"


def is_platform_admin(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object for the request: admin pages ask many times.
    cached = getattr(user, "_governance_platform_admin", None)
    if cached is None:
        cached = user.groups.filter(name=PLATFORM_ADMINS).exists()
        user._governance_platform_admin = cached
    return cached


def owns_api(user, api) -> bool:
    """Platform admin, or holds `own_api` on this API (guardian)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_platform_admin(user) or user.has_perm(OWN_API, api)


def reviews_api(user, api) -> bool:
    """Platform admin, or holds `review_api` on this API (guardian)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_platform_admin(user) or user.has_perm(REVIEW_API, api)


def owned_apis(user, queryset):
    """The APIs of `queryset` the user may manage (all of them for a platform admin)."""
    if is_platform_admin(user):
        return queryset
    return get_objects_for_user(user, OWN_API, klass=queryset, accept_global_perms=False)


def actor_user(actor):
    """The person whose governance rights a Principal carries: the signed-in user (a session, or a
    person's own authorization-code token), or for a client-credentials token the API owner staff
    bound the client to (`Application.governance_identity`). Never the creator of a tenant-managed
    client or key: members of the tenant could rotate its secret and act as that person."""
    if actor is None:
        return None
    if actor.user is not None:
        return actor.user
    if actor.application is not None:
        return actor.application.governance_identity
    return None


def require_api_owner(actor, api) -> None:
    """Refuse unless `actor` (a Principal) may manage `api`. The system actor (seed, tasks) may."""
    if actor is not None and actor.kind == "system":
        return
    user = actor_user(actor)
    if not owns_api(user, api):
        raise NotAllowed(f"Only platform admins and owners of the API {api.slug} may do this.")


def require_api_reviewer(actor, api) -> None:
    if actor is not None and actor.kind == "system":
        return
    user = actor_user(actor)
    if not reviews_api(user, api):
        raise NotAllowed(f"Only platform admins and reviewers assigned to the API {api.slug} may decide reviews.")


def grant_api_owner(user, api) -> None:
    """Make `user` an owner of `api`: the object permission, and the display list Api.owners."""
    assign_perm("own_api", user, api)
    api.owners.add(user)


def revoke_api_owner(user, api) -> None:
    remove_perm("own_api", user, api)
    api.owners.remove(user)


def grant_api_reviewer(user, api) -> None:
    assign_perm("review_api", user, api)
