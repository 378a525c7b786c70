"""Staff console of the apikeys app, one module per model admin."""

from apikeys.admin import keys, usage

__all__ = ["keys", "usage"]
