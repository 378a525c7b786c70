"""The governance endpoints, declared for the cross-tenant harness (see tests/harness.py).

Each part of governance declares its endpoints in its own module, imported here: the catalog
(shared, read by every tenant) in api_endpoints_catalog.py; tenant-owned ones (deprecations,
webhooks) in theirs.
"""

from tests.governance import api_endpoints_catalog, api_endpoints_deprecations  # noqa: F401  (registrations)
