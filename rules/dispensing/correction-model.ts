/** What the correction rules (correction-rules.ts) work on: the stored records named for correction, and who asks. */
import type { Refusal } from '../../domain/problem';
import type { RecordType } from './model';

export interface CorrectionTarget {
  /** `Type/id` of the stored record. */
  reference: string;
  recordType: RecordType;
  /** FHIRPath of the correction in the submission. */
  at: string;
  /** `Type/id` of the line the record executed. */
  lineReference: string;
  /** What the record counted on its line (0 for a record of a line not delivered). */
  quantity: number;
  /** When the record was stored (its meta.lastUpdated: records are never updated but by a correction). */
  recordedAt: string;
  alreadyCorrected: boolean;
  /** The structure (FINESS / numéro AM) the record names, else its professional. */
  recordedBy: { finess?: string; am?: string; rpps?: string };
}

/** Who asks for the correction: the token's professional and structure. */
export interface Corrector {
  rpps: string;
  finess?: string;
  am?: string;
}

export type CorrectionDecision =
  | {
      ok: true;
      /** The records to mark entered-in-error (those already corrected are left out). */
      toCorrect: CorrectionTarget[];
      /** New executed quantity per line touched. */
      executed: Map<string, number>;
    }
  | Refusal<'forbidden' | 'conflict'>;
