"""Sign-in for the seeded demo superuser with the short identifier `admin`.

The login is the e-mail address, but the issue promises staff a demo superuser `admin` / `admin`.
Rather than teach the user model a second login field (or make `get_by_natural_key` guess), this
backend maps exactly one identifier, `admin`, to exactly one address, the one `seed_demo` creates,
and lets Django's ModelBackend do everything else (password check, `is_active`, `get_user`). It
grants nothing by itself: if that account does not exist, or its password is not the one typed,
the sign-in fails as any other. Every other identifier is left to the ModelBackend before it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

SEEDED_ADMIN_ALIAS = "admin"
SEEDED_ADMIN_EMAIL = "admin@console.test"


class SeededAdminAliasBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or username.strip().lower() != SEEDED_ADMIN_ALIAS:
            return None
        return super().authenticate(request, username=SEEDED_ADMIN_EMAIL, password=password)

    # Permissions are the ModelBackend's business (listed before this one); answering them here
    # too would only repeat its queries.
    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
