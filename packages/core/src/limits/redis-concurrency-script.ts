/**
 * In-flight calls of one principal across every replica, as leases in a sorted set scored by
 * their expiry on the Redis server's clock. A lease whose holder died (its replica crashed, or
 * lost Redis) expires on its own, so a slot is never lost for longer than one lease.
 *
 * ACQUIRE: KEYS[1] the principal's set; ARGV[1] limit, ARGV[2] lease member, ARGV[3] lease ms.
 * Replies 1 (taken) or 0 (the principal has `limit` live leases).
 */
export const ACQUIRE_LEASE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit, member, lease = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
redis.call('ZADD', KEYS[1], now + lease, member)
redis.call('PEXPIRE', KEYS[1], lease)
return 1
`;

/**
 * RENEW: KEYS[1] the principal's set; ARGV[1] lease ms, ARGV[2..] members still running. Extends
 * only leases that still exist (XX): one that already expired is not brought back.
 */
export const RENEW_LEASES_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = tonumber(ARGV[1])
for index = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[index])
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], lease) end
return 1
`;
