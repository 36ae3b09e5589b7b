/**
 * The two sections that carry binary content, base64-encoded in an observationMedia:
 *  - FR-Code-a-barres (1.2.250.1.213.1.1.2.223): the QR "Code 2D" printed on the ordonnance;
 *  - FR-Document-PDF-copie (1.2.250.1.213.1.1.2.243): the ordonnance PDF given to the patient.
 */
import { ii, loinc, templateIds, textReference } from '../datatypes';
import { partId, PART_ARCS } from '../document-ids';
import { content } from '../narrative';
import { CODE_SYSTEMS, ENTRY_TEMPLATES, LOINC, SECTION_TEMPLATES } from '../oids';
import type { InstanceIdentifier } from '../types';
import { el, type XmlElement } from '../xml';

const QR_MEDIA_ID = 'code-2d';
const PDF_MEDIA_ID = 'copie-pdf';

const base64Value = (mediaType: string, bytes: Buffer): XmlElement =>
  el('value', { mediaType, representation: 'B64' }, bytes.toString('base64'));

/**
 * The ANS example embeds a JPEG; the ordonnance's code is drawn as PNG (lossless, which a 2D
 * code needs). image/png is in the HL7 MediaType vocabulary the XSD enforces, and neither the
 * eP-MED-DM schematron nor the IG restricts the type.
 */
export function code2dSection(documentId: InstanceIdentifier, qrPng: Buffer): XmlElement {
  return el(
    'component',
    {},
    el(
      'section',
      { classCode: 'DOCSECT', moodCode: 'EVN' },
      templateIds(SECTION_TEMPLATES.code2d),
      ii('id', partId(documentId, PART_ARCS.code2dSection)),
      loinc('code', LOINC.barcode),
      el('title', {}, 'Code 2D de la prescription'),
      el('text', {}, el('renderMultiMedia', { referencedObject: QR_MEDIA_ID })),
      el(
        'entry',
        {},
        el(
          'observationMedia',
          { classCode: 'OBS', moodCode: 'EVN', ID: QR_MEDIA_ID },
          templateIds(ENTRY_TEMPLATES.ccdObservationMedia, ENTRY_TEMPLATES.frImageIllustrative),
          base64Value('image/png', qrPng),
        ),
      ),
    ),
  );
}

export function pdfCopySection(documentId: InstanceIdentifier, pdf: Buffer): XmlElement {
  const sectionArc = PART_ARCS.pdfSection;
  return el(
    'component',
    {},
    el(
      'section',
      {},
      templateIds(SECTION_TEMPLATES.pdfCopy),
      ii('id', partId(documentId, sectionArc)),
      loinc('code', LOINC.documentCopy),
      el('title', {}, 'Copie du document'),
      el(
        'text',
        {},
        el('paragraph', {}, content('copie-pdf-type', 'Copie PDF de l’ordonnance remise au patient')),
        el('renderMultiMedia', { referencedObject: PDF_MEDIA_ID }),
      ),
      el(
        'entry',
        {},
        el(
          'organizer',
          { classCode: 'CLUSTER', moodCode: 'EVN' },
          templateIds(ENTRY_TEMPLATES.frDocumentAttache),
          ii('id', partId(documentId, sectionArc, 1)),
          loinc('code', LOINC.attachedDocument),
          el('statusCode', { code: 'completed' }),
          el(
            'component',
            {},
            el(
              'observation',
              { classCode: 'OBS', moodCode: 'EVN' },
              templateIds(
                ENTRY_TEMPLATES.iheSimpleObservation,
                ENTRY_TEMPLATES.frSimpleObservation,
                ENTRY_TEMPLATES.frTypeDocumentAttache,
              ),
              ii('id', partId(documentId, sectionArc, 2)),
              loinc('code', LOINC.documentType),
              textReference('copie-pdf-type'),
              el('statusCode', { code: 'completed' }),
              el('effectiveTime', { nullFlavor: 'NA' }),
              el('value', {
                'xsi:type': 'CD',
                code: LOINC.documentCopy.code,
                displayName: LOINC.documentCopy.displayName,
                codeSystem: CODE_SYSTEMS.loinc,
                codeSystemName: 'LOINC',
              }),
            ),
          ),
          el(
            'component',
            {},
            el(
              'observationMedia',
              { classCode: 'OBS', moodCode: 'EVN', ID: PDF_MEDIA_ID },
              base64Value('application/pdf', pdf),
            ),
          ),
        ),
      ),
    ),
  );
}
