"""Celery tasks of governance, one module per domain. Each takes ids, loads, calls a service, and is
idempotent. Tasks have explicit names (the strings services enqueue them by, through
config.celery.enqueue_on_commit, so services never import tasks) that stay put when code moves.
Celery's autodiscovery imports this package, which registers every module below."""

from governance.tasks import deprecations, reviews

__all__ = ["deprecations", "reviews"]
