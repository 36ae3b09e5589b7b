/**
 * Everything on a page that is not a prescription line: the prescriber and patient blocks on the
 * first page, the reminder at the top of continuation pages, the signature area, and the footer
 * (QR code, number, page number, legal mentions) that every page carries.
 */
import type { Prescription } from '../../domain/prescription';
import {
  bornOn,
  DATA_PROTECTION_MENTION,
  dispensingViewMention,
  NON_REIMBURSABLE_MENTION,
  numberCaption,
  pageCaption,
  prescriptionDate,
  replacedMention,
  signerName,
  signerProfession,
  PREVENTION_MENTION,
  URGENT_MENTION,
  workAccidentMention,
} from './french';
import {
  COLOR,
  CONTENT_WIDTH,
  CONTINUATION_HEADER_HEIGHT,
  FONT,
  FOOTER,
  MARGIN,
  PAGE,
  QR_SIZE,
  SIGNATURE,
  SIZE,
} from './layout';
import { drawText, horizontalRule, type Doc } from './text';

const PRESCRIBER_COLUMN = CONTENT_WIDTH * 0.55;
const PATIENT_COLUMN = 210;
const PATIENT_X = PAGE.width - MARGIN.right - PATIENT_COLUMN;
const PADDING = 8;

/** First-page header; returns the y where the body may start. */
export function drawFirstPageHeader(doc: Doc, p: Prescription): number {
  const left = prescriberBlock(doc, p);
  const right = patientBlock(doc, p);
  let y = Math.max(left, right) + 12;
  for (const mention of contextMentions(p)) {
    y +=
      drawText(doc, mention, MARGIN.left, y, {
        font: FONT.bold,
        size: SIZE.contextMention,
        width: CONTENT_WIDTH,
        maxHeight: 40,
      }) + 2;
  }
  return y + 8;
}

function contextMentions(p: Prescription): string[] {
  return [
    p.priority !== 'routine' ? URGENT_MENTION : '',
    p.context.workAccidentDate ? workAccidentMention(p.context.workAccidentDate) : '',
    p.context.nonReimbursable ? NON_REIMBURSABLE_MENTION : '',
    p.context.prevention ? PREVENTION_MENTION : '',
  ].filter((m) => m !== '');
}

function prescriberBlock(doc: Doc, p: Prescription): number {
  const org = p.organization;
  const lines: Array<[string, 'name' | 'strong' | 'plain']> = [
    [signerName(p), 'name'],
    [signerProfession(p.prescriber), 'plain'],
    [`RPPS ${p.prescriber.rpps}`, 'plain'],
    ...(p.replacedPrescriber ? [[replacedMention(p, p.replacedPrescriber), 'strong'] as [string, 'strong']] : []),
    [org.name, 'strong'],
    ...(org.amNumber ? [[`N° AM ${org.amNumber}`, 'plain'] as [string, 'plain']] : []),
    ...(org.finess ? [[`FINESS ${org.finess}`, 'plain'] as [string, 'plain']] : []),
    ...(org.address
      ? [...org.address.lines, `${org.address.postalCode} ${org.address.city}`].map(
          (l) => [l, 'plain'] as [string, 'plain'],
        )
      : []),
    ...(org.phone ? [[`Tél. ${org.phone}`, 'plain'] as [string, 'plain']] : []),
  ];
  let y = MARGIN.top;
  for (const [text, kind] of lines) {
    const box =
      kind === 'name'
        ? { font: FONT.bold, size: SIZE.prescriberName }
        : { font: kind === 'strong' ? FONT.bold : FONT.regular, size: SIZE.header };
    y +=
      drawText(doc, text, MARGIN.left, y, { ...box, width: PRESCRIBER_COLUMN, maxHeight: 60 }) +
      (kind === 'name' ? 3 : 1);
  }
  return y;
}

function patientBlock(doc: Doc, p: Prescription): number {
  const inner = PATIENT_COLUMN - 2 * PADDING;
  const x = PATIENT_X + PADDING;
  let y = MARGIN.top + PADDING;
  y +=
    drawText(doc, 'Patient', x, y, {
      font: FONT.regular,
      size: SIZE.label,
      width: inner,
      color: COLOR.secondary,
      maxHeight: 20,
    }) + 2;
  y +=
    drawText(doc, `${p.patient.family} ${p.patient.given}`, x, y, {
      font: FONT.bold,
      size: SIZE.patientName,
      width: inner,
      maxHeight: 60,
    }) + 2;
  y += drawText(doc, bornOn(p.patient.gender, p.patient.birthDate), x, y, {
    font: FONT.regular,
    size: SIZE.header,
    width: inner,
    maxHeight: 20,
  });
  y += PADDING;
  doc
    .save()
    .lineWidth(0.6)
    .strokeColor(COLOR.rule)
    .roundedRect(PATIENT_X, MARGIN.top, PATIENT_COLUMN, y - MARGIN.top, 4)
    .stroke()
    .restore();
  y += 10;
  const city = p.organization.address?.city;
  const date = prescriptionDate(p.authoredOn);
  y += drawText(doc, city ? `${city}, le ${date}` : `Le ${date}`, x, y, {
    font: FONT.regular,
    size: SIZE.date,
    width: inner,
    maxHeight: 30,
  });
  return y;
}

/** Top of pages 2..n: who the prescription is for and its number, so a loose page can be matched. */
export function drawContinuationHeader(doc: Doc, p: Prescription, number: string): number {
  const half = CONTENT_WIDTH / 2;
  const patient = `${p.patient.family} ${p.patient.given} — ${bornOn(p.patient.gender, p.patient.birthDate)}`;
  drawText(doc, patient, MARGIN.left, MARGIN.top, {
    font: FONT.bold,
    size: SIZE.continuation,
    width: half + 40,
    maxHeight: 12,
  });
  drawText(doc, numberCaption(number), MARGIN.left + half, MARGIN.top, {
    font: FONT.regular,
    size: SIZE.continuation,
    width: half,
    align: 'right',
    maxHeight: 12,
  });
  const subtitle = `Ordonnance du ${prescriptionDate(p.authoredOn)} — ${signerName(p)} (suite)`;
  drawText(doc, subtitle, MARGIN.left, MARGIN.top + 12, {
    font: FONT.regular,
    size: SIZE.label + 0.5,
    width: CONTENT_WIDTH,
    color: COLOR.secondary,
    maxHeight: 12,
  });
  horizontalRule(doc, MARGIN.left, MARGIN.top + 25, CONTENT_WIDTH, COLOR.rule, 0.6);
  return MARGIN.top + CONTINUATION_HEADER_HEIGHT;
}

/** Signature area at the bottom right of the body, on the last page. */
export function drawSignature(doc: Doc, p: Prescription, bottom: number): void {
  const x = PAGE.width - MARGIN.right - SIGNATURE.width;
  const y = bottom - SIGNATURE.height;
  doc.save().lineWidth(0.6).strokeColor(COLOR.rule).rect(x, y, SIGNATURE.width, SIGNATURE.height).stroke().restore();
  const inner = SIGNATURE.width - 2 * PADDING;
  drawText(doc, 'Signature du prescripteur', x + PADDING, y + 6, {
    font: FONT.italic,
    size: SIZE.caption,
    width: inner,
    color: COLOR.secondary,
    maxHeight: 12,
  });
  drawText(doc, signerName(p), x + PADDING, y + SIGNATURE.height - 16, {
    font: FONT.regular,
    size: SIZE.caption,
    width: inner,
    maxHeight: 12,
  });
}

/** QR code at the bottom left with the number under it, page number, legal mentions beside it. */
export function drawFooter(
  doc: Doc,
  p: Prescription,
  number: string,
  qrImage: QrImage,
  page: number,
  pages: number,
): void {
  const caption = numberCaption(number);
  const column = Math.max(QR_SIZE, doc.font(FONT.regular).fontSize(SIZE.caption).widthOfString(caption) + 4);
  const qrX = MARGIN.left + (column - QR_SIZE) / 2;
  doc.image(qrImage, qrX, FOOTER.top, { width: QR_SIZE, height: QR_SIZE });
  let y = FOOTER.top + QR_SIZE + 2;
  y +=
    drawText(doc, caption, MARGIN.left, y, {
      font: FONT.regular,
      size: SIZE.caption,
      width: column,
      align: 'center',
      maxHeight: 12,
    }) + 3;
  drawText(doc, pageCaption(page, pages), MARGIN.left, y, {
    font: FONT.regular,
    size: SIZE.caption,
    width: column,
    align: 'center',
    maxHeight: 12,
  });

  const mentionsX = MARGIN.left + column + FOOTER.gutter;
  const mentionBox = {
    font: FONT.regular,
    size: SIZE.mention,
    width: PAGE.width - MARGIN.right - mentionsX,
    align: 'justify' as const,
  };
  // Start level with the symbol itself, below the QR image's white quiet zone.
  let mentionY = FOOTER.top + 6;
  for (const mention of [dispensingViewMention(p.consent), DATA_PROTECTION_MENTION]) {
    mentionY +=
      drawText(doc, mention, mentionsX, mentionY, { ...mentionBox, maxHeight: FOOTER.top + FOOTER.height - mentionY }) +
      FOOTER.paragraphGap;
  }
}

/**
 * An image pdfkit has already decoded: passing it to doc.image on every page embeds the PNG once.
 * (doc.openImage is public pdfkit API but missing from @types/pdfkit.)
 */
export type QrImage = Parameters<Doc['image']>[0];
export function openQrImage(doc: Doc, png: Buffer): QrImage {
  return (doc as unknown as { openImage(src: Buffer): QrImage }).openImage(png);
}
