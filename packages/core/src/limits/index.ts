export { createRateLimiter } from './create-rate-limiter.js';
export type { RateLimiterOptions } from './create-rate-limiter.js';
export { createConcurrencyLimiter } from './concurrency-limiter.js';
export type { ConcurrencyGrant, ConcurrencyLimiter, ConcurrencyLimiterOptions } from './concurrency-limiter.js';
export { MemoryRateLimiter } from './memory-rate-limiter.js';
export { RedisRateLimiter } from './redis-rate-limiter.js';
export { parseRate, rateSpecSchema, RateSyntaxError } from './rate.js';
export type { RateSpec } from './rate.js';
export type { RateDecision, RateLimiter } from './types.js';
