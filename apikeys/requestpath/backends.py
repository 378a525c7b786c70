"""Which backend of the request path's state this process uses (apikeys/requestpath/limiter.py)."""

from django.conf import settings

from apikeys.requestpath import inprocess, redis_limiter
from apikeys.requestpath.limiter import Limiter


def backend() -> Limiter:
    """Redis when APIKEY_REDIS_URL is set (shared by every process), else this process's memory."""
    return redis_limiter.LIMITER if settings.APIKEY_REDIS_URL else inprocess.LIMITER
