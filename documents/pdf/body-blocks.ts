/**
 * What goes in the body of the ordonnance, as data: zone titles, group headings and one block per
 * prescription line, in print order. The renderer measures and draws them; nothing here knows pdfkit.
 */
import {
  ACT_TYPES,
  type ActLine,
  type DeviceLine,
  type DrugLine,
  type Prescription,
  type PrescriptionLine,
} from '../../domain/prescription';
import { isBizone, lineIsAld } from '../../domain/ald';
import {
  ACT_HEADINGS,
  ALD_LOWER_ZONE_TITLE,
  ALD_UPPER_ZONE_TITLE,
  boxes,
  CONTINUED,
  DEVICE_HEADING,
  DRUG_HEADING,
  durationText,
  frenchDate,
  frenchNumber,
  frequencyText,
  renewalsText,
  sessions,
  structuredPosologyText,
} from './french';

/** title: the product or act; detail: posology, quantities; alert: mentions the pharmacist must not miss. */
export type ParagraphStyle = 'title' | 'detail' | 'alert';
export interface Paragraph {
  text: string;
  style: ParagraphStyle;
}

export type BodyBlock =
  | { kind: 'zoneTitle'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'line'; paragraphs: Paragraph[] }
  /** The lower ALD zone: separator line, title, and its lines or, when it has none, room left empty. */
  | { kind: 'lowerZone'; text: string; empty: boolean };

/** A block, and what to print again above it when it is the first block of a continuation page. */
export interface FlowEntry {
  block: BodyBlock;
  /** Keep on the same page as the next entry (a heading with its first line). */
  keepWithNext: boolean;
  repeatAbove: BodyBlock[];
}

interface Group {
  heading: string;
  lines: PrescriptionLine[];
}

/** Drugs, then devices, then acts by type; lines keep their order within a group. */
function groupLines(lines: readonly PrescriptionLine[]): Group[] {
  const groups: Group[] = [
    { heading: DRUG_HEADING, lines: lines.filter((l) => l.kind === 'drug') },
    { heading: DEVICE_HEADING, lines: lines.filter((l) => l.kind === 'device') },
    ...ACT_TYPES.map((type) => ({
      heading: ACT_HEADINGS[type],
      lines: lines.filter((l) => l.kind === 'act' && l.actType === type),
    })),
  ];
  return groups.filter((g) => g.lines.length > 0);
}

/**
 * The body in print order. A prescription with ALD lines is printed on the bizone form: its ALD lines in the
 * upper zone, the others under the separator in the lower zone (left empty when there are none, for
 * intercurrent prescriptions written by hand); each zone groups its own lines.
 */
export function bodyFlow(p: Prescription): FlowEntry[] {
  if (!isBizone(p)) return zoneFlow(p.lines, []);
  const upper = p.lines.filter((line) => lineIsAld(p, line));
  const lower = p.lines.filter((line) => !lineIsAld(p, line));
  return [
    { block: { kind: 'zoneTitle', text: ALD_UPPER_ZONE_TITLE }, keepWithNext: true, repeatAbove: [] },
    ...zoneFlow(upper, [{ kind: 'zoneTitle', text: ALD_UPPER_ZONE_TITLE + CONTINUED }]),
    {
      block: { kind: 'lowerZone', text: ALD_LOWER_ZONE_TITLE, empty: lower.length === 0 },
      keepWithNext: lower.length > 0,
      repeatAbove: [],
    },
    ...zoneFlow(lower, [{ kind: 'zoneTitle', text: ALD_LOWER_ZONE_TITLE + CONTINUED }]),
  ];
}

/** The groups of some lines, each heading kept with its first line; `zone` is repeated atop a continuation page. */
function zoneFlow(lines: readonly PrescriptionLine[], zone: BodyBlock[]): FlowEntry[] {
  const flow: FlowEntry[] = [];
  for (const group of groupLines(lines)) {
    flow.push({ block: { kind: 'heading', text: group.heading }, keepWithNext: true, repeatAbove: zone });
    const repeatAbove = [...zone, { kind: 'heading', text: group.heading + CONTINUED } as const];
    for (const line of group.lines) {
      flow.push({ block: { kind: 'line', paragraphs: lineParagraphs(line) }, keepWithNext: false, repeatAbove });
    }
  }
  return flow;
}

export function lineParagraphs(line: PrescriptionLine): Paragraph[] {
  switch (line.kind) {
    case 'drug':
      return drugParagraphs(line);
    case 'device':
      return deviceParagraphs(line);
    case 'act':
      return actParagraphs(line);
  }
}

const title = (text: string): Paragraph => ({ text, style: 'title' });
const detail = (text: string): Paragraph => ({ text, style: 'detail' });
const alert = (text: string): Paragraph => ({ text, style: 'alert' });
const present = <T>(value: T | undefined | false | ''): value is T =>
  value !== undefined && value !== false && value !== '';
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function drugParagraphs(line: DrugLine): Paragraph[] {
  const { text, structured } = line.posology;
  // The prescriber's own words win; the structured form is phrased only when there are none,
  // but its duration is still printed since free text often leaves it out.
  const posology = text?.trim() || (structured ? structuredPosologyText(structured) : '');
  const separateDuration =
    text?.trim() && structured?.duration ? `Durée de traitement : ${durationText(structured.duration)}` : '';
  const supply = [
    line.quantity !== undefined ? `Quantité : ${boxes(line.quantity)}` : '',
    line.renewals > 0 ? renewalsText(line.renewals) : '',
  ].filter(present);
  const reason = line.nonSubstitutionReason?.code ?? line.nonSubstitutionReason?.text?.trim();
  return [
    title(line.label ?? `Médicament ${line.cip13 ? `CIP ${line.cip13}` : `CIS ${line.cis ?? '?'}`}`),
    ...(posology ? [detail(posology)] : []),
    ...(separateDuration ? [detail(separateDuration)] : []),
    ...(supply.length > 0 ? [detail(supply.join(' — '))] : []),
    ...(line.nonSubstitutable ? [alert(reason ? `Non substituable (${reason})` : 'Non substituable')] : []),
    ...(line.offLabel ? [alert('Hors AMM')] : []),
  ];
}

function deviceParagraphs(line: DeviceLine): Paragraph[] {
  const facts = [
    line.lpp ? `Code LPP : ${line.lpp}` : '',
    line.quantity !== undefined ? `Quantité : ${frenchNumber(line.quantity)}` : '',
    line.duration ? `Durée : ${durationText(line.duration)}` : '',
  ].filter(present);
  return [
    title(line.label ?? `Dispositif médical ${line.lpp ?? ''}`.trim()),
    ...(facts.length > 0 ? [detail(facts.join(' — '))] : []),
  ];
}

function actParagraphs(line: ActLine): Paragraph[] {
  const biology = line.actType === 'acteBiologieMedicale';
  const code = line.code ? `${biology ? 'Code NABM' : 'Cotation NGAP'} : ${line.code}` : '';
  const schedule = [
    line.sessions !== undefined ? sessions(line.sessions) : '',
    line.frequency ? frequencyText(line.frequency) : '',
    line.atHome ? (biology ? 'prélèvement à domicile' : 'à domicile') : '',
    line.startDate ? `à partir du ${frenchDate(line.startDate)}` : '',
  ].filter(present);
  return [
    title(line.label ?? (line.code ? `Acte ${line.code}` : 'Acte')),
    ...(code ? [detail(code)] : []),
    ...(schedule.length > 0 ? [detail(capitalize(schedule.join(', ')))] : []),
  ];
}
