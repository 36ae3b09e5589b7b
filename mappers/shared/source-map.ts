/**
 * SourceMaps built from tables instead of one entry per field per payload: a mapper describes
 * the envelope and each line with a FieldTable (compiled once at module load), and
 * tableSourceMap resolves canonical paths on demand. Building ~100 string keys for every payload
 * cost more than the JSON Schema validation itself; lookups only happen when a rule fails.
 *
 * The result behaves as the plain `Record<string, string>` the SourceMap type promises, through
 * a Proxy (sourceMapView).
 *
 * Entries exist for every field the vendor format has, whether or not this payload sent it: the
 * rules name absent fields through them (see rules/intake/vendor-paths).
 */
import type { SourceMap } from '../../domain/prescription';

/** Canonical path (relative) → vendor path (relative), both appended to a base. */
export type FieldPaths = ReadonlyArray<readonly [canonical: string, vendor: string]>;

/** A FieldPaths list indexed for lookups. */
export type FieldTable = ReadonlyMap<string, string>;
export const fieldTable = (paths: FieldPaths): FieldTable => new Map(paths);

export interface SourceLayout {
  /** Paths outside the lines, relative to the vendor root. */
  envelope: FieldTable;
  vendorRoot: string;
  /** For each line (canonical /lines/<i>): its table and its vendor base path. */
  lines: ReadonlyArray<{ table: FieldTable; vendorBase: string }>;
  /** Individual entries (e.g. address lines), absolute. */
  extra?: Readonly<Record<string, string>>;
}

const LINE_PATH = /^\/lines\/(0|[1-9][0-9]*)(\/.*)?$/;

export function tableSourceMap(layout: SourceLayout): SourceMap {
  const written = new Map<string, string>(Object.entries(layout.extra ?? {}));

  const resolve = (canonical: string): string | undefined => {
    const own = written.get(canonical);
    if (own !== undefined) return own;
    const line = LINE_PATH.exec(canonical);
    if (line) {
      const entry = layout.lines[Number(line[1])];
      const vendor = entry?.table.get(line[2] ?? '');
      return entry && vendor !== undefined ? entry.vendorBase + vendor : undefined;
    }
    const vendor = layout.envelope.get(canonical);
    return vendor === undefined ? undefined : layout.vendorRoot + vendor;
  };

  const keys = (): string[] => {
    const all = new Set<string>(layout.envelope.keys());
    layout.lines.forEach(({ table }, i) => {
      for (const relative of table.keys()) all.add(`/lines/${i}${relative}`);
    });
    for (const key of written.keys()) all.add(key);
    return [...all];
  };

  return sourceMapView(resolve, keys, (key, value) => written.set(key, value));
}

/**
 * A SourceMap whose entries are computed on demand, behaving as the plain Record the type
 * promises (property reads, `in`, Object.keys/entries, spread, JSON.stringify, writes).
 */
export function sourceMapView(
  resolve: (canonical: string) => string | undefined,
  keys: () => string[],
  write: (canonical: string, vendor: string) => void,
): SourceMap {
  return new Proxy(Object.create(null) as SourceMap, {
    get: (_target, key) => (typeof key === 'string' ? resolve(key) : undefined),
    has: (_target, key) => typeof key === 'string' && resolve(key) !== undefined,
    set: (_target, key, value) => {
      if (typeof key !== 'string') return false;
      write(key, String(value));
      return true;
    },
    ownKeys: () => keys(),
    getOwnPropertyDescriptor: (_target, key) => {
      const value = typeof key === 'string' ? resolve(key) : undefined;
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: true };
    },
  });
}
