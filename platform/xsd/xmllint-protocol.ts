/**
 * What platform/xsd/xmllint-validator.ts (main thread) and ./xmllint-thread.ts (its worker) exchange.
 * Its own module: importing the thread module would run it.
 */
import type { MessagePort } from 'node:worker_threads';

/** The file xmllint reads each document from, and names in its report. */
export const DOCUMENT_FILE = '/doc.xml';

/** What the main thread gives the thread (see xmllint-validator.ts). */
export interface XmllintThreadData {
  wasm: WebAssembly.Module;
  schema: string;
  /** Where documents arrive: { id, bytes }. */
  documents: MessagePort;
  /** Incremented by the main thread after each document it posts, to wake this thread. */
  posted: Int32Array;
  documentsPerRun: number;
  maxMemoryPages: number;
}

export interface DocumentMessage {
  id: number;
  bytes: Uint8Array;
}

/** What the thread tells the main thread. */
export type ThreadReport =
  /** The schema compiled and the thread waits for documents (sent at the start of every run). */
  | { type: 'ready' }
  /** Everything xmllint wrote about document `id`. */
  | { type: 'done'; id: number; lines: string[] }
  /** xmllint stopped (out of memory, a trap) while checking document `id`. */
  | { type: 'aborted'; id: number; reason: string }
  /** A run ended before its first document: the schema did not compile. */
  | { type: 'schema-failed'; lines: string[] };
