from django.dispatch import Signal

# Sent (inside the service's transaction) when a tenant is suspended or reactivated, so caches of
# credentials can drop the tenant's entries. Receivers should defer work with transaction.on_commit.
tenant_status_changed = Signal()

# Sent (inside the service's transaction) when a member's role changes or they leave the tenant, so
# the apps holding credentials they made can narrow or revoke them. Arguments: actor (Principal),
# tenant, user_id, role (the new role; None when they left). A receiver returns a list of one-line
# descriptions of what it changed (for the notice to the tenant's owners), and audits each change.
member_access_changed = Signal()
