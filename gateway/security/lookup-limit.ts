/**
 * Throttling of prescription-number lookups per professional, against enumeration: a fixed
 * window counter in Redis, so that the limit holds whatever the number of gateway processes.
 * Every path that resolves a number spends from the same budget (usecases/caller.ts
 * LookupBudget): a lookup costs 1 point when it is made; one that finds nothing costs `missCost`
 * in all. Over the limit the caller gets 429 + Retry-After; Redis down, 503.
 */
import type { Redis } from 'ioredis';
import { ProblemError } from '../../domain/problem';
import { whileRedisAnswers } from '../../platform/redis';
import type { LookupBudget } from '../../usecases/caller';
import type { LookupLimitConfig } from './config';

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

  private add(subject: string, cost: number): Promise<[number, number]> {
    return whileRedisAnswers('the lookup throttle', async () => {
      const [count, ttl] = (await this.redis.eval(
        CONSUME,
        1,
        this.key(subject),
        String(cost),
        String(this.config.windowSeconds),
      )) as [number, number];
      return [Number(count), Number(ttl)];
    });
  }

  /** The budget of one professional; `onRefusal` hears a refusal before it is thrown (the audit trail). */
  budgetFor(subject: string, onRefusal: (reason: string) => void): LookupBudget {
    return {
      spend: async () => {
        const [count, ttl] = await this.add(subject, 1);
        if (count <= this.config.points) return;
        const retryAfter = Math.max(1, ttl);
        onRefusal('too many prescription lookups');
        throw new ProblemError(
          'throttled',
          [{ code: 'throttled', message: `too many prescription lookups; retry in ${retryAfter} s` }],
          { 'retry-after': String(retryAfter) },
        );
      },
      spendMiss: async () => {
        if (this.config.missCost > 1) await this.add(subject, this.config.missCost - 1);
      },
    };
  }
}
