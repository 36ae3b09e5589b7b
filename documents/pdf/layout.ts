/** Geometry and typography of the printed ordonnance (points: 1 pt = 1/72 in). */

export const MM = 72 / 25.4;

/** A4 portrait. */
export const PAGE = { width: 595.28, height: 841.89 } as const;
export const MARGIN = { top: 36, bottom: 28, left: 40, right: 40 } as const;
export const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

/**
 * Printed QR width, quiet zone included. The symbol itself is then about 32 mm wide, above the
 * ~30 mm handheld scanners need (the CNAM had to enlarge early codes for them, digest §1.4).
 */
export const QR_SIZE = 36 * MM;

/** Standard PDF fonts: WinAnsi covers French (é è à ç ô œ Œ « » ’), so nothing needs embedding. */
export const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique' } as const;

export const COLOR = { text: '#000000', secondary: '#4d4d4d', rule: '#9a9a9a', zoneFill: '#ececec' } as const;

export const SIZE = {
  prescriberName: 12,
  patientName: 12,
  header: 9,
  label: 7.5,
  date: 10,
  contextMention: 10,
  heading: 10.5,
  zoneTitle: 8.5,
  lineTitle: 10,
  lineDetail: 9,
  mention: 7.5,
  caption: 8,
  continuation: 9,
} as const;

/** Bottom band on every page: QR, its caption, page number, legal mentions. */
export const FOOTER = {
  height: QR_SIZE + 26,
  top: PAGE.height - MARGIN.bottom - (QR_SIZE + 26),
  /** Gap between the QR column and the legal mentions. */
  gutter: 14,
  /** Gap between the legal mentions. */
  paragraphGap: 4,
} as const;

/** The body never goes below this line, so it cannot run into the footer. */
export const BODY_BOTTOM = FOOTER.top - 10;

/** Pages after the first start with a one-line reminder of who and which prescription. */
export const CONTINUATION_HEADER_HEIGHT = 34;

export const SIGNATURE = { width: 200, height: 66 } as const;

export const SPACING = {
  /** Between paragraphs of one prescription line. */
  paragraph: 1.5,
  /** After each prescription line. */
  afterLine: 7,
  /** Indent of a line's details under its title. */
  detailIndent: 12,
  beforeHeading: 5,
  afterHeading: 5,
  zonePadding: 4,
  afterZoneTitle: 6,
  /** Room left empty in the lower ALD zone, where intercurrent prescriptions would go. */
  emptyLowerZone: 30,
} as const;
