/**
 * Throttling of prescription-number lookups per professional, against enumeration: a fixed
 * window counter in Redis, so that the limit holds whatever the number of gateway processes.
 * A lookup costs 1 point when it is made; one that finds nothing costs `missCost` in all (the
 * rest is charged once the answer is known). Over the limit the caller gets 429 + Retry-After.
 */
import type { Redis } from 'ioredis';
import type { LookupLimitConfig } from './config';

export interface LimitState {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

// INCRBY then set the window's expiry on first use; returns [count, ttl] atomically.
const CONSUME = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {count, ttl}`;

export class LookupLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly config: LookupLimitConfig,
    private readonly keyPrefix: string,
  ) {}

  private key(subject: string): string {
    return `${this.keyPrefix}:lookup-limit:${subject}`;
  }

  private async add(subject: string, cost: number): Promise<[number, number]> {
    const [count, ttl] = (await this.redis.eval(
      CONSUME,
      1,
      this.key(subject),
      String(cost),
      String(this.config.windowSeconds),
    )) as [number, number];
    return [Number(count), Number(ttl)];
  }

  /** Charge one lookup; refused when the window's points are already spent. */
  async consume(subject: string): Promise<LimitState> {
    const [count, ttl] = await this.add(subject, 1);
    return { allowed: count <= this.config.points, retryAfterSeconds: Math.max(1, ttl) };
  }

  /** The extra charge of a lookup that found nothing. */
  async chargeMiss(subject: string): Promise<void> {
    if (this.config.missCost > 1) await this.add(subject, this.config.missCost - 1);
  }
}
