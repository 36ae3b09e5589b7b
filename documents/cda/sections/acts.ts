/**
 * Prescribed acts (biology, nursing, physiotherapy…) as narrative only: no CI-SIS entry template
 * exists for them in eP-MED-DM, and this repository has no eP-BIO (or other act volet) schematron
 * to build structured entries against. See documents/cda/README.md.
 */
import type { ActLine } from '../../../domain/prescription';
import { ACT_HEADINGS, frenchDate, frequencyText, sessions } from '../../pdf/french';
import { ii, loinc, templateIds } from '../datatypes';
import { partId, PART_ARCS } from '../document-ids';
import { table, yesNo } from '../narrative';
import { LOINC, SECTION_TEMPLATES } from '../oids';
import type { InstanceIdentifier } from '../types';
import { el, type XmlElement } from '../xml';

const HEADINGS = ['Type', 'Acte', 'Séances', 'Fréquence', 'À domicile', 'À partir du'];

function actsTable(acts: readonly ActLine[]): XmlElement {
  return table(
    HEADINGS,
    acts.map((act, i) => ({
      id: `acte-${i + 1}`,
      cells: [
        ACT_HEADINGS[act.actType],
        [act.code, act.label].filter(Boolean).join(' — ') || '-',
        act.sessions === undefined ? '-' : sessions(act.sessions),
        (act.frequency && frequencyText(act.frequency)) ?? '-',
        yesNo(act.atHome),
        act.startDate ? frenchDate(act.startDate) : '-',
      ],
    })),
  );
}

/** Body section of the act prescription document: IHE PCC plan-of-care code, narrative only. */
export function prescribedActsSection(documentId: InstanceIdentifier, acts: readonly ActLine[]): XmlElement {
  return el(
    'component',
    {},
    el(
      'section',
      {},
      ii('id', partId(documentId, PART_ARCS.actsSection)),
      loinc('code', LOINC.planOfCare),
      el('title', {}, 'Actes prescrits'),
      el('text', {}, actsTable(acts)),
    ),
  );
}

/**
 * In an eP-MED-DM document, the act lines of a mixed ordonnance go into a FR-Commentaire-non-code
 * section (listed by the IG among the volet's optional sections): readers of the DMP copy see the
 * whole ordonnance without the acts being mistaken for coded eP-MED-DM content.
 */
export function actsCommentSection(documentId: InstanceIdentifier, acts: readonly ActLine[]): XmlElement {
  return el(
    'component',
    {},
    el(
      'section',
      {},
      templateIds(SECTION_TEMPLATES.cdaSection, SECTION_TEMPLATES.iheCardDocumentSummary, SECTION_TEMPLATES.comment),
      ii('id', partId(documentId, PART_ARCS.actsSection)),
      loinc('code', LOINC.comment),
      el('title', {}, 'Actes prescrits sur la même ordonnance'),
      el(
        'text',
        {},
        el(
          'paragraph',
          {},
          'Ces actes figurent sur l’ordonnance (voir la copie PDF) ; ils ne sont pas codés dans ce document.',
        ),
        actsTable(acts),
      ),
    ),
  );
}
