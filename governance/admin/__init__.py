"""Staff console for governance, one module per resource (registrations happen on import).

catalog.py: APIs, versions (lifecycle actions with a confirmation page), spec revisions.
reviews.py: reviews (upload, the review page, decisions), waivers.
Deprecation schedules, notices, the ledger and webhooks have their own modules.
"""

from governance.admin import catalog, deprecations, reviews, webhooks  # noqa: F401  (registrations)
