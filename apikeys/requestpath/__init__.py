"""The request path: what every API call goes through before and after its view.

limiter.py       the interface of the request path's state (key cache, GCRA buckets, cool-offs,
                 usage counters, last use) and its two backends, which decide alike:
redis_limiter.py   Redis: gcra.lua, one round trip per call, shared by every process
inprocess.py       this process's memory: the embedded default (no REDIS_URL), per process
backends.py      which of the two this process uses (APIKEY_REDIS_URL)
store.py         the Redis client and the names of the state's keys
cache.py         the verified-key cache entry (one JSON per key), invalidated on commit
verification.py  verify a presented key: one backend call on the warm path
ratelimit.py     GCRA decisions for the other principals, the DRF throttle, RateLimit headers
policies.py      rate policies: the plan's, a key's override, the tenant-wide budget
cooloff.py       cool-offs after repeated failed credentials
metering.py      usage counting and its flush into the database
metrics.py       counters of what an operator alerts on
"""
