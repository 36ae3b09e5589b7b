import { Redis } from 'ioredis';
import { ProblemError } from '../domain/problem';

/** How long a request-path Redis command may take before Redis counts as down. */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** The most a request waits for one Redis-backed step (queueing a job, the throttle) before answering 503. */
const REQUEST_PATH_DEADLINE_MS = REDIS_COMMAND_TIMEOUT_MS + 500;
/** What a client is told to wait before retrying while Redis is down. */
const REDIS_RETRY_AFTER_SECONDS = 5;

export interface RedisConnectionOptions {
  /**
   * Fail a command at once when Redis is unreachable (no offline queue) and after
   * REDIS_COMMAND_TIMEOUT_MS when it does not answer: what a request path needs, so that a client
   * gets a 503 within seconds instead of waiting for the whole outage. Workers keep the default
   * (commands wait for Redis to come back; BullMQ's blocking commands need it).
   */
  failFast?: boolean;
}

/** BullMQ needs `maxRetriesPerRequest: null` on connections used by workers (blocking commands). */
export function createRedisConnection(url: string, { failFast = false }: RedisConnectionOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: failFast ? 1 : null,
    enableReadyCheck: true,
    enableOfflineQueue: !failFast,
    ...(failFast ? { commandTimeout: REDIS_COMMAND_TIMEOUT_MS } : {}),
    connectTimeout: 5_000,
    lazyConnect: false,
  });
}

/** Resolves once the connection is ready (a fail-fast connection refuses commands before that). */
export function redisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** PING with a deadline: a Redis that does not answer quickly counts as down. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([redisReady(redis, timeoutMs).then(() => redis.ping()), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The problem a client gets when Redis (queues, throttle, replay cache) cannot be reached: retry later. */
export function redisUnavailable(what: string): ProblemError {
  return new ProblemError(
    'unavailable',
    [{ code: 'transient', message: `${what} is unavailable (the job store does not answer); retry later` }],
    { 'retry-after': String(REDIS_RETRY_AFTER_SECONDS) },
  );
}

/**
 * Runs a request-path Redis call with a deadline (a BullMQ call may send several commands); its
 * failure becomes `redisUnavailable(what)`: 503 + Retry-After.
 */
export async function whileRedisAnswers<T>(what: string, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${REQUEST_PATH_DEADLINE_MS} ms`)),
      REQUEST_PATH_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw redisUnavailable(what);
  } finally {
    clearTimeout(timer);
  }
}
