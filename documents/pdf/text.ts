/** Thin helpers over pdfkit text: every call names its font and box, nothing relies on pdfkit's cursor. */
import type PDFDocument from 'pdfkit';
import { COLOR } from './layout';

export type Doc = InstanceType<typeof PDFDocument>;

export interface TextBox {
  font: string;
  size: number;
  width: number;
  color?: string;
  align?: 'left' | 'center' | 'right' | 'justify';
}

export function measure(doc: Doc, text: string, box: TextBox): number {
  return doc
    .font(box.font)
    .fontSize(box.size)
    .heightOfString(text, { width: box.width, align: box.align ?? 'left' });
}

/**
 * Draw text inside a box and return its height. A maximum height is always given to pdfkit, which
 * then truncates with an ellipsis instead of silently adding a page.
 */
export function drawText(doc: Doc, text: string, x: number, y: number, box: TextBox & { maxHeight: number }): number {
  const height = Math.min(measure(doc, text, box), box.maxHeight);
  doc
    .font(box.font)
    .fontSize(box.size)
    .fillColor(box.color ?? COLOR.text)
    .text(text, x, y, {
      width: box.width,
      height: box.maxHeight,
      align: box.align ?? 'left',
      ellipsis: true,
      lineBreak: true,
    });
  return height;
}

export function horizontalRule(doc: Doc, x: number, y: number, width: number, color: string, lineWidth: number): void {
  doc
    .save()
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(lineWidth)
    .strokeColor(color)
    .stroke()
    .restore();
}
