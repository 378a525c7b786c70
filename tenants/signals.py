from django.dispatch import Signal

# Sent (inside the service's transaction) when a tenant is suspended or reactivated, so caches of
# credentials can drop the tenant's entries. Receivers should defer work with transaction.on_commit.
tenant_status_changed = Signal()
