"""The request path: what every API call goes through before and after its view.

store.py         the Redis client and the project's key names
cache.py         the verified-key cache entry (one JSON per key), invalidated on commit
verification.py  verify a presented key: one Redis round trip (gcra.lua) on the warm path
ratelimit.py     GCRA rate limiting (gcra.lua), the DRF throttle, RateLimit headers
policies.py      rate policies: the plan's, a key's override, the tenant-wide budget
metering.py      usage counting in Redis and its flush into PostgreSQL
metrics.py       counters of what an operator alerts on
"""
