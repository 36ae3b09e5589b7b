/**
 * Identifiers of a document and of the parts inside it.
 *
 * The DMP wants a document uniqueId that is an OID: 2.25.<UUID as a decimal integer> (ITU-T X.667)
 * or an LPS root plus a unique suffix (digest §4.2). Sections and entries need ids too; they are
 * derived from the document id so the builder stays deterministic — the owner of an OID owns every
 * arc below it.
 */
import type { InstanceIdentifier } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "f81d4fae-7dec-11d0-a765-00a0c91e6bf6" → "2.25.329800735698586629295641978511506172918". */
export function oidFromUuid(uuid: string): string {
  if (!UUID.test(uuid)) throw new RangeError(`not a UUID: ${uuid}`);
  return `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`).toString(10)}`;
}

/**
 * The id of a part of the document: new arcs under the document's OID, or — when the document id
 * has an extension (root shared by other documents) — the same root with a longer extension.
 */
export function partId(documentId: InstanceIdentifier, ...arcs: number[]): InstanceIdentifier {
  if (arcs.length === 0 || arcs.some((arc) => !Number.isInteger(arc) || arc < 0)) {
    throw new RangeError('part arcs must be non-negative integers');
  }
  const suffix = arcs.join('.');
  return documentId.extension === undefined
    ? { root: `${documentId.root}.${suffix}` }
    : { root: documentId.root, extension: `${documentId.extension}.${suffix}` };
}

/** Arcs of the parts: one per section, then one per entry inside it. */
export const PART_ARCS = {
  code2dSection: 1,
  medicationSection: 2,
  deviceSection: 3,
  actsSection: 4,
  pdfSection: 5,
} as const;
