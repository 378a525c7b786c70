"""The governance HTTP API: the catalog (shared by every tenant, read-only), reviews (the
platform's API teams) and, next to them, deprecations and webhooks (tenant-owned)."""
