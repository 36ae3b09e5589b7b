/**
 * The prescription cache of lookups by number (usecases/ports.ts PrescriptionCache), in Redis so that
 * every gateway process shares it and a write made through one invalidates it for all.
 *
 * Per number, a generation counter (`…:prescription-gen:<number>`) that every write bumps once done,
 * and the entry (`…:prescription:<number>`) with the generation it was put at. An entry is served
 * only while its generation is the current one; `put` is refused when the generation moved on since
 * the lookup read it (a write committed while its search ran). The lookup still checks the header's
 * version against the store before serving it (usecases/dispensing/lookup.ts), which covers a store
 * that was wiped and a header changed by hand. Entries expire after ENTRY_TTL_SECONDS; the counters,
 * refreshed by each write, outlive them.
 */
import type { Redis } from 'ioredis';
import type { CachedPrescription, PrescriptionCache } from '../usecases/ports';

/** How long a change made around the gateway (straight in HAPI) may go unseen by lookups: README "Lookup cache". */
const ENTRY_TTL_SECONDS = 120;
const GENERATION_TTL_SECONDS = 86_400;

// SET the entry only while the generation is still ARGV[1] (absent counts as "0").
const PUT = `
local gen = redis.call('GET', KEYS[1]) or '0'
if gen ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1`;

// A write decided at generation ARGV[1] is done: bump the generation; when nothing else bumped it
// since (it was still ARGV[1]), ARGV[2], the state the write left, put at the new generation
// ARGV[1] + 1, is the entry.
const CHANGED_TO = `
local gen = redis.call('GET', KEYS[1]) or '0'
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
if gen ~= ARGV[1] then
  redis.call('DEL', KEYS[2])
  return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1`;

interface StoredEntry extends CachedPrescription {
  generation: string;
}

export function redisPrescriptionCache(redis: Redis, keyPrefix: string): PrescriptionCache {
  const generationKey = (number: string) => `${keyPrefix}:prescription-gen:${number}`;
  const entryKey = (number: string) => `${keyPrefix}:prescription:${number}`;
  return {
    async get(number) {
      const [gen, raw] = await redis.mget(generationKey(number), entryKey(number));
      const generation = gen ?? '0';
      if (!raw) return { generation };
      const stored = JSON.parse(raw) as StoredEntry;
      if (stored.generation !== generation) return { generation };
      const { headerId, headerVersion, bundle } = stored;
      return { entry: { headerId, headerVersion, bundle }, generation };
    },
    async put(number, generation, entry) {
      const stored: StoredEntry = { ...entry, generation };
      await redis.eval(
        PUT,
        2,
        generationKey(number),
        entryKey(number),
        generation,
        JSON.stringify(stored),
        String(ENTRY_TTL_SECONDS),
      );
    },
    async changedTo(number, generation, entry) {
      const stored: StoredEntry = { ...entry, generation: String(Number(generation) + 1) };
      await redis.eval(
        CHANGED_TO,
        2,
        generationKey(number),
        entryKey(number),
        generation,
        JSON.stringify(stored),
        String(ENTRY_TTL_SECONDS),
        String(GENERATION_TTL_SECONDS),
      );
    },
    async changed(number) {
      await redis
        .multi()
        .incr(generationKey(number))
        .expire(generationKey(number), GENERATION_TTL_SECONDS)
        .del(entryKey(number))
        .exec();
    },
  };
}
