/**
 * A SourceMap built on first use. Building ~130 FHIRPath strings per payload cost about as much as
 * the rest of the mapping, and the map is only read when a rule fails. The Proxy behaves as the
 * plain Record the SourceMap type promises (reads, `in`, keys/entries, spread, JSON, writes).
 */
import type { SourceMap } from '../../domain/prescription';

export function lazySourceMap(build: () => SourceMap): SourceMap {
  let built: SourceMap | undefined;
  const map = (): SourceMap => (built ??= build());
  return new Proxy(Object.create(null) as SourceMap, {
    get: (_target, key) => (typeof key === 'string' ? map()[key] : undefined),
    has: (_target, key) => typeof key === 'string' && key in map(),
    set: (_target, key, value) => {
      if (typeof key !== 'string') return false;
      map()[key] = String(value);
      return true;
    },
    ownKeys: () => Object.keys(map()),
    getOwnPropertyDescriptor: (_target, key) => {
      const value = typeof key === 'string' ? map()[key] : undefined;
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: true };
    },
  });
}
