"""Every write to the catalog, the lifecycle of versions and reviews (deprecations, notices and
webhooks have their own modules next to these).

Services are keyword-only, run in one transaction, check the actor's rights on the API
(governance.permissions) and write one audit event on the platform chain. The admin, the API and
the management commands call these and nothing else.
"""
