/**
 * Section FR-Prescription-dispositifs-medicaux (1.2.250.1.213.1.1.2.222): a narrative table and
 * one FR-Dispositif-medical supply entry per device line. eP-MED-DM makes repeatNumber and the
 * ALD, AT/MP, prevention and non-reimbursable observations mandatory on each entry.
 */
import type { DeviceLine } from '../../../domain/prescription';
import { durationText } from '../../pdf/french';
import { coded, ii, loinc, templateIds } from '../datatypes';
import { partId, PART_ARCS } from '../document-ids';
import { content, table, type NarrativeRow } from '../narrative';
import { CODE_SYSTEMS, ENTRY_TEMPLATES, LOINC, SECTION_TEMPLATES, type ContextFlag } from '../oids';
import { el, type XmlElement } from '../xml';
import { contextCells, contextObservations, FLAG_HEADINGS, lineContext, workAccidentParagraph } from './context-flags';
import type { SectionInput } from '../types';

const DEVICE_FLAGS: readonly ContextFlag[] = ['ald', 'workAccident', 'prevention', 'nonReimbursable'];
const FLAG_ARC_BASE = 10;

const lineId = (n: number): string => `dm-${n}`;

const HEADINGS = [
  'Dispositif médical',
  'Durée',
  'Quantité',
  'Renouvellements',
  ...DEVICE_FLAGS.map((flag) => FLAG_HEADINGS[flag]),
];

export function deviceSection(devices: readonly DeviceLine[], input: SectionInput): XmlElement {
  return el(
    'component',
    {},
    el(
      'section',
      {},
      templateIds(SECTION_TEMPLATES.devices),
      ii('id', partId(input.documentId, PART_ARCS.deviceSection)),
      loinc('code', LOINC.devices),
      el('title', {}, 'Prescription de dispositifs médicaux'),
      el(
        'text',
        {},
        workAccidentParagraph(input.prescription),
        table(
          HEADINGS,
          devices.map((device, i) => narrativeRow(device, i + 1, input)),
        ),
      ),
      devices.map((device, i) => el('entry', {}, deviceSupply(device, i + 1, input))),
    ),
  );
}

function narrativeRow(device: DeviceLine, n: number, input: SectionInput): NarrativeRow {
  const id = lineId(n);
  return {
    id,
    cells: [
      content(`${id}-produit`, deviceLabel(device)),
      device.duration ? durationText(device.duration) : '-',
      device.quantity === undefined ? '-' : String(device.quantity),
      // The canonical device line has no renewal count: a device is prescribed once.
      '0',
      ...contextCells(lineContext(input.prescription, device), DEVICE_FLAGS, id),
    ],
  };
}

function deviceLabel(device: DeviceLine): string {
  const label = device.label ?? 'Dispositif médical sans libellé';
  return device.lpp ? `${label} (LPP ${device.lpp})` : label;
}

function deviceSupply(device: DeviceLine, n: number, input: SectionInput): XmlElement {
  const id = lineId(n);
  const lineArcs = [PART_ARCS.deviceSection, n] as const;
  const originalText = el('originalText', {}, el('reference', { value: `#${id}-produit` }));
  return el(
    'supply',
    { classCode: 'SPLY', moodCode: 'INT' },
    templateIds(ENTRY_TEMPLATES.ccdSupplyActivity, ENTRY_TEMPLATES.frDispositifMedical),
    ii('id', partId(input.documentId, ...lineArcs)),
    el('text', {}, el('reference', { value: `#${id}` })),
    el(
      'effectiveTime',
      { 'xsi:type': 'IVL_TS' },
      el('low', { value: input.startDate }),
      device.duration && el('width', { value: device.duration.value, unit: device.duration.unit }),
    ),
    el('repeatNumber', { value: 0 }),
    device.quantity !== undefined && el('quantity', { value: device.quantity }),
    el(
      'participant',
      { typeCode: 'DEV' },
      el(
        'participantRole',
        { classCode: 'MANU' },
        el(
          'playingDevice',
          { classCode: 'DEV', determinerCode: 'INSTANCE' },
          device.lpp
            ? coded(
                'code',
                { code: device.lpp, displayName: device.label ?? device.lpp, codeSystem: CODE_SYSTEMS.lpp },
                'LPP',
                originalText,
              )
            : el('code', { nullFlavor: 'NA' }, originalText),
        ),
      ),
    ),
    contextObservations(
      lineContext(input.prescription, device),
      DEVICE_FLAGS,
      id,
      (index) => partId(input.documentId, ...lineArcs, FLAG_ARC_BASE + index),
      input.authored,
    ),
  );
}
