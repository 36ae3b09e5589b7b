/**
 * Finds the vendor format mappers: every folder of mappers/ whose index exports `mapper`.
 * Adding a format is adding a folder (and its fixtures) — nothing to register by hand.
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { VendorFormat } from '../domain/prescription';
import type { VendorMapper } from './mapper';

function discoverMappers(): VendorMapper[] {
  const found: VendorMapper[] = [];
  for (const entry of readdirSync(__dirname, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(__dirname, entry.name);
    if (!['index.ts', 'index.js'].some((f) => existsSync(path.join(dir, f)))) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(dir) as { mapper?: VendorMapper };
    if (mod.mapper) found.push(mod.mapper);
  }
  return found.sort((a, b) => a.format.localeCompare(b.format));
}

export const MAPPERS: readonly VendorMapper[] = discoverMappers();

export function mapperForFormat(format: string): VendorMapper | undefined {
  return MAPPERS.find((m) => m.format === (format.trim().toLowerCase() as VendorFormat));
}

/** Media type without parameters (charset…), lower-cased. */
const bareMediaType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

export function mapperForMediaType(contentType: string): VendorMapper | undefined {
  const media = bareMediaType(contentType);
  return MAPPERS.find((m) => m.mediaTypes.includes(media));
}
