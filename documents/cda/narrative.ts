/** The human-readable part of a section (CDA NarrativeBlock): tables, labelled spans, yes/no. */
import { el, type XmlChild, type XmlElement } from './xml';

/** A narrative span an entry can point at (`<reference value="#id"/>`). */
export const content = (id: string, text: string): XmlElement => el('content', { ID: id }, text);

export const yesNo = (value: boolean): string => (value ? 'Oui' : 'Non');

export interface NarrativeRow {
  /** ID of the row, so that an entry can point at the whole line. */
  id?: string;
  cells: XmlChild[];
}

export function table(headings: readonly string[], rows: readonly NarrativeRow[]): XmlElement {
  return el(
    'table',
    { border: '1' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headings.map((heading) => el('th', {}, heading)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          { ID: row.id },
          row.cells.map((cell) => el('td', {}, cell)),
        ),
      ),
    ),
  );
}
