"""The staff console (Django admin).

One module per resource. Writes go through the services (or, for the few fields no service owns,
through `StaffAuditMixin`), so every change a staff member makes lands in the audit trail with
them as the actor. Every changelist selects its related rows up front: tests pin the number of
queries of each changelist (tests/tenants/test_admin.py).

The OAuth token and client admins live in `tenants.admin.oauth`; django-oauth-toolkit registers
them itself through the `*_ADMIN_CLASS` entries of settings.OAUTH2_PROVIDER.
"""

from tenants.admin import audit, memberships, oauth, tenants, users  # noqa: F401  (registrations)
