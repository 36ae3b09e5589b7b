/**
 * Section FR-Prescription-medicaments (1.2.250.1.213.1.1.2.171): a narrative table of the drug
 * lines and one FR-Traitement-prescrit entry per line (ANS eP-MED-DM 2024.01 examples).
 */
import type { DrugLine, Prescription, StructuredPosology } from '../../../domain/prescription';
import { boxes, durationText, structuredPosologyText } from '../../pdf/french';
import { coded, ii, loinc, templateIds } from '../datatypes';
import { partId, PART_ARCS } from '../document-ids';
import { content, table, type NarrativeRow } from '../narrative';
import { CODE_SYSTEMS, EDQM_BOX, ENTRY_TEMPLATES, LOINC, SECTION_TEMPLATES, type ContextFlag } from '../oids';
import type { SectionInput } from '../types';
import { el, type XmlElement } from '../xml';
import { contextCells, contextObservations, FLAG_HEADINGS, lineContext, workAccidentParagraph } from './context-flags';
import { ucumDoseUnit } from './dose-units';

const DRUG_FLAGS: readonly ContextFlag[] = ['ald', 'workAccident', 'prevention', 'nonReimbursable', 'offLabel'];

/** Observation arcs under a line: 1 is the quantity supply; flags start at 10. */
const FLAG_ARC_BASE = 10;

const lineId = (n: number): string => `med-${n}`;

export function medicationSection(drugs: readonly DrugLine[], input: SectionInput): XmlElement {
  const sectionArc = PART_ARCS.medicationSection;
  return el(
    'component',
    {},
    el(
      'section',
      {},
      templateIds(SECTION_TEMPLATES.ihePrescription, SECTION_TEMPLATES.medications),
      ii('id', partId(input.documentId, sectionArc)),
      loinc('code', LOINC.prescriptions),
      el('title', {}, 'Prescription de médicaments'),
      el(
        'text',
        {},
        workAccidentParagraph(input.prescription),
        table(
          HEADINGS,
          drugs.map((drug, i) => narrativeRow(drug, i + 1, input.prescription)),
        ),
      ),
      drugs.map((drug, i) => el('entry', {}, prescribedTreatment(drug, i + 1, input))),
    ),
  );
}

const HEADINGS = [
  'Médicament',
  'Posologie',
  'Durée',
  'Quantité',
  'Substitution',
  'Renouvellements',
  ...DRUG_FLAGS.map((flag) => FLAG_HEADINGS[flag]),
];

function narrativeRow(drug: DrugLine, n: number, p: Prescription): NarrativeRow {
  const id = lineId(n);
  const duration = drug.posology.structured?.duration;
  return {
    id,
    cells: [
      content(`${id}-produit`, productLabel(drug)),
      content(`${id}-posologie`, posologyText(drug)),
      duration ? durationText(duration) : '-',
      drug.quantity === undefined ? '-' : boxes(drug.quantity),
      content(`${id}-substitution`, substitutionText(drug)),
      String(drug.renewals),
      ...contextCells(lineContext(p, drug), DRUG_FLAGS, id),
    ],
  };
}

function productLabel(drug: DrugLine): string {
  const codes = [drug.cis && `CIS ${drug.cis}`, drug.cip13 && `CIP ${drug.cip13}`].filter(Boolean).join(', ');
  const label = drug.label ?? 'Médicament sans libellé';
  return codes ? `${label} (${codes})` : label;
}

/** The prescriber's own words when sent, else the structured posology read out. */
function posologyText(drug: DrugLine): string {
  const { text, structured } = drug.posology;
  if (text?.trim()) return text.trim();
  if (structured) return structuredPosologyText(structured) || '-';
  return '-';
}

const NON_SUBSTITUTION_REASONS: Readonly<Record<string, string>> = {
  MTE: 'marge thérapeutique étroite',
  EFG: 'enfant de moins de 6 ans, forme galénique adaptée',
  CIF: 'contre-indication formelle et démontrée à un excipient',
};

function substitutionText(drug: DrugLine): string {
  if (!drug.nonSubstitutable) return 'Autorisée';
  const reason = drug.nonSubstitutionReason;
  const words = (reason?.code && NON_SUBSTITUTION_REASONS[reason.code]) || reason?.text;
  const detail = [reason?.code, words].filter(Boolean).join(' — ');
  return detail ? `Non substituable (${detail})` : 'Non substituable';
}

function prescribedTreatment(drug: DrugLine, n: number, input: SectionInput): XmlElement {
  const id = lineId(n);
  const structured = drug.posology.structured;
  const lineArcs = [PART_ARCS.medicationSection, n] as const;
  return el(
    'substanceAdministration',
    { classCode: 'SBADM', moodCode: 'INT' },
    templateIds(
      ENTRY_TEMPLATES.ccdMedicationActivity,
      ENTRY_TEMPLATES.iheMedication,
      ENTRY_TEMPLATES.ihePrescriptionItem,
      ENTRY_TEMPLATES.frTraitementPrescrit,
      ...(structured ? [ENTRY_TEMPLATES.structuredDosage] : []),
      ENTRY_TEMPLATES.normalDosing,
    ),
    ii('id', partId(input.documentId, ...lineArcs)),
    el('code', {
      code: 'DRUG',
      displayName: 'Médicament',
      codeSystem: CODE_SYSTEMS.actCode,
      codeSystemName: 'HL7:ActCode',
    }),
    el('text', {}, el('reference', { value: `#${id}` })),
    el('statusCode', { code: 'completed' }),
    treatmentPeriod(input.startDate, structured),
    frequency(structured, `${id}-posologie`),
    el('repeatNumber', { value: drug.renewals }),
    structured?.dosePerIntake !== undefined &&
      el('doseQuantity', { value: structured.dosePerIntake, unit: ucumDoseUnit(structured.unit) }),
    el(
      'consumable',
      {},
      el(
        'manufacturedProduct',
        { classCode: 'MANU' },
        templateIds(ENTRY_TEMPLATES.ccdProduct, ENTRY_TEMPLATES.iheProduct, ENTRY_TEMPLATES.frProduitDeSante),
        el(
          'manufacturedMaterial',
          { classCode: 'MMAT', determinerCode: 'KIND' },
          templateIds(ENTRY_TEMPLATES.iheMedicine),
          productCode(drug, `${id}-produit`),
          drug.label ? el('name', {}, drug.label) : el('name', { nullFlavor: 'NA' }),
        ),
      ),
    ),
    drug.quantity !== undefined && quantityToDispense(drug.quantity),
    substitutionPermission(drug, `${id}-substitution`),
    contextObservations(
      lineContext(input.prescription, drug),
      DRUG_FLAGS,
      id,
      (index) => partId(input.documentId, ...lineArcs, FLAG_ARC_BASE + index),
      input.authored,
    ),
  );
}

/** Treatment period: from the prescription date, for the structured duration when there is one. */
function treatmentPeriod(startDate: string, structured: StructuredPosology | undefined): XmlElement {
  const duration = structured?.duration;
  return el(
    'effectiveTime',
    { 'xsi:type': 'IVL_TS' },
    el('low', { value: startDate }),
    duration && el('width', { value: duration.value, unit: duration.unit }),
  );
}

/**
 * "n fois par jour" as a PIVL_TS of 24/n hours with institutionSpecified="true": the intakes are
 * spread over the day as the patient's day allows, not at exact 24/n-hour intervals.
 */
function frequency(structured: StructuredPosology | undefined, narrativeId: string): XmlElement | undefined {
  const perDay = structured?.intakesPerDay;
  if (perDay === undefined || perDay <= 0) return undefined;
  const hours = Math.round((24 / perDay) * 10_000) / 10_000;
  return el(
    'effectiveTime',
    { 'xsi:type': 'PIVL_TS', operator: 'A', institutionSpecified: 'true' },
    el(
      'period',
      { value: hours, unit: 'h' },
      el('translation', {}, el('originalText', {}, el('reference', { value: `#${narrativeId}` }))),
    ),
  );
}

/** CIS as the code, CIP13 as a translation (ANS example); only one of them, or none, also works. */
function productCode(drug: DrugLine, narrativeId: string): XmlElement {
  const originalText = el('originalText', {}, el('reference', { value: `#${narrativeId}` }));
  const cip =
    drug.cip13 &&
    coded(
      'translation',
      { code: drug.cip13, displayName: drug.label ?? drug.cip13, codeSystem: CODE_SYSTEMS.cip },
      'CIP',
    );
  if (drug.cis) {
    return coded(
      'code',
      { code: drug.cis, displayName: drug.label ?? drug.cis, codeSystem: CODE_SYSTEMS.cis },
      'CIS',
      originalText,
      ...(cip ? [cip] : []),
    );
  }
  if (drug.cip13) {
    return coded(
      'code',
      { code: drug.cip13, displayName: drug.label ?? drug.cip13, codeSystem: CODE_SYSTEMS.cip },
      'CIP',
      originalText,
    );
  }
  return el('code', { nullFlavor: 'NA' }, originalText);
}

/** FR-Quantite-de-produit: the number of boxes to dispense (EDQM unit of presentation "Boîte"). */
function quantityToDispense(boxCount: number): XmlElement {
  return el(
    'entryRelationship',
    { typeCode: 'COMP' },
    el(
      'supply',
      { classCode: 'SPLY', moodCode: 'RQO' },
      templateIds(ENTRY_TEMPLATES.iheAmount, ENTRY_TEMPLATES.frQuantiteDeProduit),
      el('independentInd', { value: 'false' }),
      el('quantity', { value: boxCount, unit: EDQM_BOX }),
    ),
  );
}

/**
 * FR-Autorisation-Substitution [1..1]: "N" (no substitution) with the reason in the narrative the
 * code points at, or "EC" (equivalent composition: the pharmacist may dispense a generic of the
 * same substance, strength and form — the French droit de substitution).
 */
function substitutionPermission(drug: DrugLine, narrativeId: string): XmlElement {
  const value = drug.nonSubstitutable
    ? { code: 'N', displayName: 'Aucune substitution permise' }
    : { code: 'EC', displayName: 'Substitution par un équivalent de même composition autorisée' };
  return el(
    'entryRelationship',
    { typeCode: 'COMP' },
    el(
      'act',
      { classCode: 'ACT', moodCode: 'DEF' },
      templateIds(ENTRY_TEMPLATES.iheSubstitution, ENTRY_TEMPLATES.frAutorisationSubstitution),
      coded(
        'code',
        { ...value, codeSystem: CODE_SYSTEMS.substanceAdminSubstitution },
        'HL7_substanceAdminSubstitution',
        el('originalText', {}, el('reference', { value: `#${narrativeId}` })),
      ),
      el('statusCode', { code: 'completed' }),
    ),
  );
}
