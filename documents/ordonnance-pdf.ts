/**
 * The printable ordonnance given to the patient (and embedded in the DMP document), laid out after
 * the SEL-SFG-023 mock-up (docs/paper-layout-mockup.png): prescriber top left, patient and date top
 * right, the lines grouped by type, signature bottom right, and on every page the QR code bottom left
 * with its number, the page number and the two legal mentions.
 *
 * Pure: the same prescription, number, QR image and generatedAt always give the same bytes.
 */
import PDFDocument from 'pdfkit';
import type { Prescription } from '../domain/prescription';
import { bodyFlow, type BodyBlock, type Paragraph } from './pdf/body-blocks';
import { numberCaption, signerName } from './pdf/french';
import {
  BODY_BOTTOM,
  COLOR,
  CONTENT_WIDTH,
  CONTINUATION_HEADER_HEIGHT,
  FONT,
  MARGIN,
  SIGNATURE,
  SIZE,
  SPACING,
} from './pdf/layout';
import { paginate, type Measured } from './pdf/pagination';
import {
  drawContinuationHeader,
  drawFirstPageHeader,
  drawFooter,
  drawSignature,
  openQrImage,
} from './pdf/page-furniture';
import { drawText, horizontalRule, measure, type Doc, type TextBox } from './pdf/text';

export interface OrdonnancePdfOptions {
  /** The QR code image, from qrPng(). */
  qrPng: Buffer;
  /** Recorded as the PDF creation date; defaults to the prescription's authoredOn. */
  generatedAt?: Date;
}

type Block = BodyBlock | { kind: 'signature' };

export function renderOrdonnancePdf(p: Prescription, number: string, opts: OrdonnancePdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'fr-FR',
    displayTitle: true,
    info: {
      Title: `Ordonnance — ${numberCaption(number)}`,
      Author: signerName(p),
      Creator: 'ordo-gateway',
      Producer: 'ordo-gateway (PDFKit)',
      CreationDate: creationDate(p, opts.generatedAt),
    },
  });
  const done = collect(doc);

  const bodyTop = drawFirstPageHeader(doc, p);
  const continuationTop = MARGIN.top + CONTINUATION_HEADER_HEIGHT;
  const entries: Array<Measured<Block>> = [
    ...bodyFlow(p).map((entry) => ({
      block: entry.block,
      height: blockHeight(doc, entry.block),
      keepWithNext: entry.keepWithNext,
      repeatAbove: entry.repeatAbove.map((block) => ({ block, height: blockHeight(doc, block) })),
    })),
    { block: { kind: 'signature' }, height: SIGNATURE.height + 10, keepWithNext: false, repeatAbove: [] },
  ];
  const pages = paginate(entries, {
    firstPageHeight: BODY_BOTTOM - bodyTop,
    otherPagesHeight: BODY_BOTTOM - continuationTop,
  });

  pages.forEach((placed, index) => {
    if (index > 0) doc.addPage();
    const top = index === 0 ? bodyTop : continuationTop;
    for (const { block, top: offset } of placed) {
      if (block.kind === 'signature') drawSignature(doc, p, BODY_BOTTOM);
      else drawBlock(doc, block, top + offset);
    }
  });

  const qrImage = openQrImage(doc, opts.qrPng);
  for (let index = 0; index < pages.length; index++) {
    doc.switchToPage(index);
    if (index > 0) drawContinuationHeader(doc, p, number);
    drawFooter(doc, p, number, qrImage, index + 1, pages.length);
  }
  doc.end();
  return done;
}

function creationDate(p: Prescription, generatedAt: Date | undefined): Date {
  const date = generatedAt ?? new Date(p.authoredOn);
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}

function collect(doc: Doc): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

const PARAGRAPH_BOX: Record<Paragraph['style'], Omit<TextBox, 'width'> & { indent: number }> = {
  title: { font: FONT.bold, size: SIZE.lineTitle, indent: 0 },
  detail: { font: FONT.regular, size: SIZE.lineDetail, indent: SPACING.detailIndent },
  alert: { font: FONT.bold, size: SIZE.lineDetail, indent: SPACING.detailIndent },
};
const HEADING_BOX: TextBox = { font: FONT.bold, size: SIZE.heading, width: CONTENT_WIDTH };
const ZONE_BOX: TextBox = { font: FONT.bold, size: SIZE.zoneTitle, width: CONTENT_WIDTH - 2 * SPACING.zonePadding };
const paragraphBox = (style: Paragraph['style']): TextBox => {
  const { indent, ...box } = PARAGRAPH_BOX[style];
  return { ...box, width: CONTENT_WIDTH - indent };
};

/** Height a block takes, spacing after it included. Must agree with drawBlock. */
function blockHeight(doc: Doc, block: BodyBlock): number {
  switch (block.kind) {
    case 'line':
      return (
        block.paragraphs.reduce(
          (sum, para) => sum + measure(doc, para.text, paragraphBox(para.style)) + SPACING.paragraph,
          0,
        ) + SPACING.afterLine
      );
    case 'heading':
      return SPACING.beforeHeading + measure(doc, block.text, HEADING_BOX) + 2 + SPACING.afterHeading;
    case 'zoneTitle':
      return zoneTitleHeight(doc, block.text) + SPACING.afterZoneTitle;
    case 'lowerZone':
      return 8 + 6 + zoneTitleHeight(doc, block.text) + (block.empty ? SPACING.emptyLowerZone : SPACING.afterZoneTitle);
  }
}

const zoneTitleHeight = (doc: Doc, text: string): number => measure(doc, text, ZONE_BOX) + 2 * SPACING.zonePadding;

/** Never lets text run below the body area. */
const room = (y: number): number => Math.max(BODY_BOTTOM - y, 1);

function drawBlock(doc: Doc, block: BodyBlock, top: number): void {
  const x = MARGIN.left;
  switch (block.kind) {
    case 'line': {
      let y = top;
      for (const para of block.paragraphs) {
        y += drawText(doc, para.text, x + PARAGRAPH_BOX[para.style].indent, y, {
          ...paragraphBox(para.style),
          maxHeight: room(y),
        });
        y += SPACING.paragraph;
      }
      return;
    }
    case 'heading': {
      const y = top + SPACING.beforeHeading;
      const height = drawText(doc, block.text, x, y, { ...HEADING_BOX, maxHeight: room(y) });
      horizontalRule(doc, x, y + height, CONTENT_WIDTH, COLOR.rule, 0.5);
      return;
    }
    case 'zoneTitle':
      drawZoneTitle(doc, block.text, top);
      return;
    case 'lowerZone': {
      horizontalRule(doc, x, top + 8, CONTENT_WIDTH, COLOR.text, 1.2);
      drawZoneTitle(doc, block.text, top + 8 + 6);
      return;
    }
  }
}

function drawZoneTitle(doc: Doc, text: string, top: number): void {
  const height = zoneTitleHeight(doc, text);
  doc.save().rect(MARGIN.left, top, CONTENT_WIDTH, height).fill(COLOR.zoneFill).restore();
  drawText(doc, text, MARGIN.left + SPACING.zonePadding, top + SPACING.zonePadding, {
    ...ZONE_BOX,
    maxHeight: room(top),
  });
}
