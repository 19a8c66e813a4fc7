/**
 * Both buckets of one call, decided atomically inside Redis, so replicas sharing it share one
 * budget. The arithmetic mirrors token-bucket.ts. Time is the Redis server's clock unless the
 * caller passes one (tests), so replicas with skewed clocks still agree.
 *
 * KEYS[1]: the principal's bucket; KEYS[2]: the principal's bucket for the tool.
 * ARGV[1]: now in ms, or -1 for the server clock; then for each bucket: burst (0 = no such
 * limit), count, period in ms, key TTL in ms. Replies { allowed (1/0), principal wait ms, tool wait ms },
 * the waits as strings because Redis truncates Lua numbers to integers.
 */
export const TAKE_TOKENS_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function level(key, burst, count, period)
  if burst <= 0 then return nil, nil end
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(state[1]), tonumber(state[2])
  if tokens == nil or ts == nil then return burst, now end
  if now > ts then
    tokens = math.min(burst, tokens + (now - ts) * count / period)
    ts = now
  end
  return tokens, ts
end

local function wait(tokens, count, period)
  if tokens == nil or tokens >= 1 then return 0 end
  return (1 - tokens) * period / count
end

local pburst, pcount, pperiod, pttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local tburst, tcount, tperiod, tttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local ptokens, pts = level(KEYS[1], pburst, pcount, pperiod)
local ttokens, tts = level(KEYS[2], tburst, tcount, tperiod)
local pwait, twait = wait(ptokens, pcount, pperiod), wait(ttokens, tcount, tperiod)
if pwait > 0 or twait > 0 then
  return {0, tostring(pwait), tostring(twait)}
end
if ptokens ~= nil then
  redis.call('HSET', KEYS[1], 'tokens', tostring(ptokens - 1), 'ts', tostring(pts))
  redis.call('PEXPIRE', KEYS[1], pttl)
end
if ttokens ~= nil then
  redis.call('HSET', KEYS[2], 'tokens', tostring(ttokens - 1), 'ts', tostring(tts))
  redis.call('PEXPIRE', KEYS[2], tttl)
end
return {1, '0', '0'}
`;
