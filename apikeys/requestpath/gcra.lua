-- One rate-limit decision per call: one Redis round trip. Loaded by apikeys/requestpath/ratelimit.py.
--
-- GCRA (generic cell rate algorithm): a bucket stores its theoretical arrival time (TAT, in
-- microseconds of Redis's clock, so every process agrees). A policy "quota per window" spaces
-- requests `interval = ceil(window / quota)` apart and tolerates a burst of `quota` of them.
-- Integer microseconds throughout, so quota L allows exactly L requests in a burst.
--
-- Two buckets per decision: the credential's own (a key, an OAuth client, a person in a tenant) and
-- its tenant's budget (shared by every credential of the tenant, so N keys don't get N times the
-- plan). A request is allowed only if both have room; when either refuses, NEITHER is charged (both
-- are checked first, then both set). The answer reports the tighter one: the refusing bucket (of
-- two refusing, the longer wait), else the one with fewer remaining (the credential's own on a tie).
--
-- Mode "key" (an API key): KEYS = {entry, last_used hash, usage hash[, client address cool-off flag]}
--   ARGV = {"key", digest, client ip (32 hex, IPv4 mapped to IPv6) or "", required scopes (space
--           separated) or "", cost, fill entry JSON or "", fill ttl seconds, usage field or "",
--           key bucket prefix, tenant budget bucket prefix}
--   Reads the cached key entry (or stores `fill` with SET NX: a tombstone written by an
--   invalidation wins over a fill computed from an older read), checks the digest, revocation,
--   expiry, tenant status, IP allow-list and scopes, then runs GCRA on the key's bucket (the
--   entry's quota/window) and the tenant's (budget_quota/budget_window), records last use and,
--   when a usage field is given, counts the call (prefixed with the key's tenant).
--   Returns "<code> <limit> <window> <remaining> <reset> <retry after> <bucket> <entry JSON>";
--   "MISS" when the entry is absent or a tombstone. With the fourth key (the caller's address is
--   cooled off after repeated bad keys: apikeys/requestpath/cooloff.py) present, nothing else is
--   read or charged: "COOLOFF 0 0 0 0 <seconds left> - ".
-- Mode "bucket" (OAuth clients, sessions, anonymous callers): KEYS = {bucket, usage hash[, budget]}
--   ARGV = {"bucket", quota, window, cost, usage field (with tenant) or ""[, budget quota, window]}.
--   Returns "<code> <limit> <window> <remaining> <reset> <retry after> <bucket> ".
-- <bucket> names the bucket the figures are of: "k" the credential's own, "t" the tenant budget,
-- "-" when no rate-limit decision was taken.
--
-- The answer is ONE string, not an array: the client reads one bulk reply instead of eight, which
-- is most of what parsing the reply costs in Python (apikeys/requestpath/verification.py splits it at the
-- first seven spaces; the entry JSON, last, may contain spaces of its own).
--
-- Usage: the call is counted here, in the same round trip, as 2xx when allowed and 4xx when refused;
-- apikeys/requestpath/metering.py corrects the status class after the response in the rare case it differs.

local TOMBSTONE = "!"

local function answer(code, limit, window, remaining, reset, retry, which, entry_json)
  return string.format("%s %.0f %.0f %.0f %.0f %.0f %s %s", code, limit, window, remaining, reset, retry, which,
                       entry_json)
end

local mode = ARGV[1]
local clock = redis.call("TIME")
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

-- GCRA on one bucket, without charging it: what charging `cost` would do.
local function gcra_check(bucket, quota, window, cost, which)
  local interval = math.ceil(window * 1000000 / quota)
  local burst = interval * quota
  local tat = tonumber(redis.call("GET", bucket) or "0")
  if tat < now then tat = now end
  local new_tat = tat + interval * cost
  local r = {bucket = bucket, quota = quota, window = window, which = which}
  if new_tat - now > burst then
    local remaining = math.floor((burst - (tat - now)) / interval)
    if remaining < 0 then remaining = 0 end
    r.ok, r.remaining, r.reset = false, remaining, math.ceil((tat - now) / 1000000)
    r.retry = math.ceil((new_tat - burst - now) / 1000000)
    if cost > quota then r.retry = -1 end
    return r
  end
  r.ok, r.new_tat, r.retry = true, new_tat, 0
  r.remaining = math.floor((burst - (new_tat - now)) / interval)
  r.reset = math.ceil((new_tat - now) / 1000000)
  return r
end

local function gcra_charge(r)
  redis.call("SET", r.bucket, string.format("%.0f", r.new_tat), "PX", math.ceil((r.new_tat - now) / 1000) + 1)
end

-- Both buckets checked, then both charged or neither; returns the bucket to report.
local function decide(own, budget)
  if own.ok and budget.ok then
    gcra_charge(own)
    gcra_charge(budget)
    if budget.remaining < own.remaining then return budget end
    return own
  end
  if own.ok then return budget end
  if budget.ok then return own end
  if own.retry == -1 then return own end
  if budget.retry == -1 or budget.retry > own.retry then return budget end
  return own
end

local function reply(r, entry_json)
  return answer(r.ok and "VALID" or "RATE_LIMITED", r.quota, r.window, r.remaining, r.reset, r.retry, r.which,
                entry_json)
end

if mode == "bucket" then
  local cost = tonumber(ARGV[4])
  local r = gcra_check(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), cost, "k")
  if KEYS[3] then
    r = decide(r, gcra_check(KEYS[3], tonumber(ARGV[6]), tonumber(ARGV[7]), cost, "t"))
  elseif r.ok then
    gcra_charge(r)
  end
  if ARGV[5] ~= "" then redis.call("HINCRBY", KEYS[2], ARGV[5] .. "|" .. (r.ok and "2xx" or "4xx"), 1) end
  return reply(r, "")
end

local entry_key, last_used, usage = KEYS[1], KEYS[2], KEYS[3]
local digest, ip, required, cost = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local fill, fill_ttl, usage_field, bucket_prefix, budget_prefix = ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9],
                                                                 ARGV[10]

if KEYS[4] then
  local left = redis.call("PTTL", KEYS[4])
  if left > 0 then return string.format("COOLOFF 0 0 0 0 %.0f - ", math.ceil(left / 1000)) end
end

local raw
if fill ~= "" then
  redis.call("SET", entry_key, fill, "EX", fill_ttl, "NX")
  raw = fill
else
  raw = redis.call("GET", entry_key)
  if not raw or raw == TOMBSTONE then return "MISS" end
end

local entry = cjson.decode(raw)

local function meter(status_class)
  if usage_field ~= "" then
    redis.call("HINCRBY", usage, string.format("%d", entry.tenant) .. "|" .. usage_field .. "|" .. status_class, 1)
  end
end

-- The digest comparison here only decides whether to spend the key's quota: a caller who knows a
-- lookup id (it is public) but not the secret can't drain it. Python compares again in constant time.
if entry.missing or entry.digest ~= digest then
  return "NOT_FOUND 0 0 0 0 0 - "
end

local function in_cidr(address, cidr)
  local net, bits = string.match(cidr, "^(%x+)/(%d+)$")
  bits = tonumber(bits)
  local whole = math.floor(bits / 4)
  if whole > 0 and string.sub(address, 1, whole) ~= string.sub(net, 1, whole) then return false end
  local rest = bits % 4
  if rest == 0 then return true end
  local mask = bit.band(bit.lshift(0xF, 4 - rest), 0xF)
  local a = tonumber(string.sub(address, whole + 1, whole + 1), 16)
  local n = tonumber(string.sub(net, whole + 1, whole + 1), 16)
  return bit.band(a, mask) == bit.band(n, mask)
end

local function ip_allowed()
  if #entry.cidrs == 0 then return true end
  if ip == "" then return false end
  for _, cidr in ipairs(entry.cidrs) do
    if in_cidr(ip, cidr) then return true end
  end
  return false
end

local function has_scopes()
  if required == "" then return true end
  local held = {}
  for _, scope in ipairs(entry.scopes) do held[scope] = true end
  for scope in string.gmatch(required, "%S+") do
    if not held[scope] then return false end
  end
  return true
end

local now_s = now / 1000000
local code
if entry.revoked then code = "REVOKED"
elseif (entry.expires ~= 0 and now_s >= entry.expires) or (entry.valid_until ~= 0 and now_s >= entry.valid_until) then
  code = "EXPIRED"
elseif entry.tenant_status ~= "active" then code = "TENANT_SUSPENDED"
elseif not ip_allowed() then code = "FORBIDDEN_IP"
elseif not has_scopes() then code = "INSUFFICIENT_SCOPE"
end
if code then
  meter("4xx")
  return answer(code, entry.quota, entry.window, 0, 0, 0, "-", raw)
end

redis.call("HSET", last_used, entry.id, clock[1])
local r = decide(gcra_check(bucket_prefix .. entry.id, entry.quota, entry.window, cost, "k"),
                 gcra_check(budget_prefix .. string.format("%d", entry.tenant), entry.budget_quota,
                            entry.budget_window, cost, "t"))
meter(r.ok and "2xx" or "4xx")
return reply(r, raw)
