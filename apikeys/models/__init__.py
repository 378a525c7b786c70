"""API keys of a tenant, and the usage the request path meters."""

from apikeys.models.keys import ApiKey
from apikeys.models.usage import UsageFlush, UsageRecord

__all__ = ["ApiKey", "UsageFlush", "UsageRecord"]
