"""The governance app's part of `seed_demo`, one module per domain: the catalog and reviews first,
then the deprecation in progress (which builds on the catalog's payments v1)."""

from governance.demo import catalog, deprecations

SEED_STEPS = catalog.SEED_STEPS + deprecations.SEED_STEPS
