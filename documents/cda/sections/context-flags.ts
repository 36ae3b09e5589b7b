/**
 * The context of a prescribed line as FR-Simple-observation entries (ALD, AT/MP, prevention,
 * non-reimbursable, off-label), each a boolean observation pointing at its "Oui"/"Non" cell.
 *
 * ALD is per line (its own flag, else the prescription's: domain/ald.ts); AT/MP, prevention and
 * non-reimbursable are per prescription (vendors send them once), repeated on every line; off-label is per
 * drug line.
 */
import { lineIsAld } from '../../../domain/ald';
import type { DeviceLine, DrugLine, Prescription } from '../../../domain/prescription';
import { workAccidentMention } from '../../pdf/french';
import { booleanValue, ii, textReference, templateIds } from '../datatypes';
import { CODE_SYSTEMS, CONTEXT_FLAGS, ENTRY_TEMPLATES, type ContextFlag } from '../oids';
import { content, yesNo } from '../narrative';
import type { InstanceIdentifier } from '../types';
import { el, type XmlElement } from '../xml';

export type LineContext = Record<ContextFlag, boolean>;

export function lineContext(p: Prescription, line: DrugLine | DeviceLine): LineContext {
  return {
    ald: lineIsAld(p, line),
    workAccident: p.context.workAccidentDate !== undefined,
    prevention: p.context.prevention,
    nonReimbursable: p.context.nonReimbursable,
    offLabel: line.kind === 'drug' && line.offLabel,
  };
}

export const FLAG_HEADINGS: Record<ContextFlag, string> = {
  ald: 'En rapport avec une ALD',
  workAccident: 'En rapport AT/MP',
  prevention: 'En rapport avec la prévention',
  nonReimbursable: 'Non remboursable',
  offLabel: 'Hors AMM',
};

const flagNarrativeId = (lineNarrativeId: string, flag: ContextFlag): string => `${lineNarrativeId}-${flag}`;

/** One narrative cell per flag, in the order given. */
export const contextCells = (
  context: LineContext,
  flags: readonly ContextFlag[],
  lineNarrativeId: string,
): XmlElement[] => flags.map((flag) => content(flagNarrativeId(lineNarrativeId, flag), yesNo(context[flag])));

/**
 * entryRelationship typeCode="COMP" per flag. `idOf(i)` gives the i-th observation's id;
 * `observedAt` is the prescription's date-time (when the prescriber stated the context).
 */
export function contextObservations(
  context: LineContext,
  flags: readonly ContextFlag[],
  lineNarrativeId: string,
  idOf: (index: number) => InstanceIdentifier,
  observedAt: string,
): XmlElement[] {
  return flags.map((flag, index) => {
    const definition = CONTEXT_FLAGS[flag];
    return el(
      'entryRelationship',
      { typeCode: 'COMP' },
      el(
        'observation',
        { classCode: 'OBS', moodCode: 'EVN' },
        templateIds(ENTRY_TEMPLATES.iheSimpleObservation, ENTRY_TEMPLATES.frSimpleObservation, definition.template),
        ii('id', idOf(index)),
        el('code', {
          code: definition.code,
          displayName: definition.displayName,
          codeSystem: CODE_SYSTEMS.terminologieCisis,
          codeSystemName: 'TA_ASIP',
        }),
        textReference(flagNarrativeId(lineNarrativeId, flag)),
        el('statusCode', { code: 'completed' }),
        el('effectiveTime', { value: observedAt }),
        booleanValue(context[flag]),
      ),
    );
  });
}

/** The work-accident date has no place in the boolean AT/MP observation: it is said in the narrative. */
export const workAccidentParagraph = (p: Prescription): XmlElement | undefined =>
  p.context.workAccidentDate === undefined
    ? undefined
    : el('paragraph', {}, workAccidentMention(p.context.workAccidentDate));
