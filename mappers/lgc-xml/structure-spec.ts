/**
 * The lgc-xml 1.0 XSD (profiles/vendor-schemas/lgc-xml.xsd) written as data, for checkStructure.
 * Element text and attribute values are compared after trimming surrounding whitespace.
 * `rule` names the vendors README rule a violation breaks when it is more specific than V2.
 */
import type { RuleCode } from '../../domain/rule-codes';
import { INS_OID_VALUES } from '../../domain/identifiers';

export const LGC_NAMESPACE = 'urn:example:lgc:prescription:1';

export interface SimpleType {
  test(value: string): boolean;
  /** What a valid value looks like, for messages: "a date dd/mm/yyyy". */
  expected: string;
}

export interface AttributeSpec {
  type: SimpleType;
  required?: boolean;
  rule?: RuleCode;
}

export interface ChildSpec {
  name: string;
  min: number;
  max: number;
  element: ElementSpec;
  rule?: RuleCode;
}

/** Exactly one content model: text only, an ordered sequence, an `all` group, or empty (none given). */
export interface ElementSpec {
  attributes?: Readonly<Record<string, AttributeSpec>>;
  text?: SimpleType;
  sequence?: readonly ChildSpec[];
  all?: readonly ChildSpec[];
}

// ---------------------------------------------------------------- simple types

const pattern = (regex: RegExp, expected: string): SimpleType => ({ test: (v) => regex.test(v), expected });
const oneOf = (...values: string[]): SimpleType => ({
  test: (v) => values.includes(v),
  expected: `one of ${values.map((v) => `'${v}'`).join(', ')}`,
});
/**
 * XSD string with min/max length and a "not blank" pattern. `singleLine`: the XSD pattern `.*\S.*` excludes
 * line breaks.
 */
const text = (maxLength: number, singleLine: boolean): SimpleType => ({
  test: (v) => v.length >= 1 && v.length <= maxLength && /\S/.test(v) && !(singleLine && /[\n\r]/.test(v)),
  expected: `a non-blank ${singleLine ? 'single-line ' : ''}text of at most ${maxLength} characters`,
});

const FRENCH_DATE = pattern(/^(?:0[1-9]|[12][0-9]|3[01])\/(?:0[1-9]|1[0-2])\/[0-9]{4}$/, 'a date dd/mm/yyyy');
const TIME = pattern(/^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/, 'a time HH:MM (00:00 to 23:59)');
const YES_NO = oneOf('yes', 'no');
const NATIONAL_ID = pattern(
  /^8[19][0-9]{10}$/,
  "12 characters: '8' followed by the 11-digit RPPS (which starts with 1 or 9)",
);
const TEXT_100 = text(100, true);
const TEXT_200 = text(200, true);
const TEXT_500 = text(500, false);
const TEXT_1000 = text(1000, false);
const QUANTITY_TEXT = pattern(
  /^\s*[0-9]{1,4}(?:\s+\p{L}[\p{L}()'. -]*)?\s*$/u,
  "a whole number of at most 4 digits, optionally followed by a unit word (e.g. '2 boîtes')",
);
const ISO_PERIOD = pattern(/^P[1-9][0-9]{0,2}[DWMY]$/, 'an ISO 8601 duration PnD, PnW, PnM or PnY (n from 1 to 999)');
const ITEM_KIND = oneOf('drug', 'device', 'lab', 'nursing', 'physio', 'speech', 'orthoptics', 'podiatry');
const RENEWALS: SimpleType = {
  test: (v) => /^\+?[0-9]+$/.test(v) && Number(v) <= 11,
  expected: 'a whole number from 0 to 11',
};
const POSITIVE_INTEGER = pattern(/^\+?0*[1-9][0-9]*$/, 'a whole number greater than 0');
const INS_OID = oneOf(...INS_OID_VALUES);
const INS_VALUE = pattern(
  /^[1-478][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{8}$/,
  'a 15-character INS: 13-character NIR/NIA body (positions 6-7 may be 2A/2B) followed by a 2-digit key',
);

// ---------------------------------------------------------------- elements

const textElement = (type: SimpleType): ElementSpec => ({ text: type });
const one = (name: string, element: ElementSpec, rule?: RuleCode): ChildSpec => ({
  name,
  min: 1,
  max: 1,
  element,
  ...(rule ? { rule } : {}),
});
const optional = (name: string, element: ElementSpec, rule?: RuleCode): ChildSpec => ({
  name,
  min: 0,
  max: 1,
  element,
  ...(rule ? { rule } : {}),
});

const HEADER: ElementSpec = {
  sequence: [
    one('MessageId', textElement(pattern(/^[A-Za-z0-9._:-]{8,64}$/, '8 to 64 characters from A-Z a-z 0-9 . _ : -'))),
    optional('EPrescriptionNumber', textElement(pattern(/^[0-9A-Z]{18}$/, '18 characters from 0-9 and A-Z'))),
    one('IssueDate', textElement(FRENCH_DATE), 'V6'),
    optional('IssueTime', textElement(TIME), 'V6'),
    optional('Priority', textElement(oneOf('routine', 'urgent'))),
    optional('Software', {
      attributes: { name: { type: TEXT_100, required: true }, version: { type: TEXT_100, required: true } },
    }),
  ],
};

const PRACTICE: ElementSpec = {
  sequence: [
    one('Name', textElement(TEXT_200)),
    optional('BillingNumber', textElement(pattern(/^[0-9]{9}$/, '9 digits (numéro AM)')), 'V11'),
    optional(
      'Finess',
      textElement(pattern(/^(?:[0-9]{2}|2A|2B)[0-9]{7}$/, '2 digits (or 2A/2B) then 7 digits')),
      'V11',
    ),
    optional('Address', {
      sequence: [
        { name: 'Line', min: 1, max: 3, element: textElement(TEXT_200) },
        one('PostCode', textElement(pattern(/^[0-9]{5}$/, '5 digits'))),
        one('City', textElement(TEXT_200)),
      ],
    }),
    optional(
      'Phone',
      textElement(
        pattern(
          /^\+?[0-9 .()-]{6,30}$/,
          'a phone number (6 to 30 digits, spaces, dots, dashes or brackets, optional leading +)',
        ),
      ),
    ),
  ],
};

const PRESCRIBER: ElementSpec = {
  attributes: { nationalId: { type: NATIONAL_ID, required: true, rule: 'V4' } },
  sequence: [
    one('LastName', textElement(TEXT_100)),
    one('FirstName', textElement(TEXT_100)),
    optional('Specialty', textElement(TEXT_200)),
    one('Practice', PRACTICE),
    optional('LocumFor', {
      attributes: { nationalId: { type: NATIONAL_ID, required: true, rule: 'V4' } },
      sequence: [one('LastName', textElement(TEXT_100)), one('FirstName', textElement(TEXT_100))],
    }),
  ],
};

const PATIENT: ElementSpec = {
  attributes: { sex: { type: oneOf('M', 'F', 'U'), required: true } },
  sequence: [
    one('LastName', textElement(TEXT_100)),
    one('FirstName', textElement(TEXT_100)),
    one('BirthDate', textElement(FRENCH_DATE), 'V6'),
    one('INS', {
      attributes: {
        root: { type: INS_OID, required: true, rule: 'V3' },
        extension: { type: INS_VALUE, required: true, rule: 'V3' },
      },
    }),
  ],
};

const CONSENT: ElementSpec = {
  attributes: {
    informedOn: { type: FRENCH_DATE, required: true, rule: 'V6' },
    dispensingViewOptOut: { type: YES_NO, required: true },
    dmpOptOut: { type: YES_NO },
  },
};

const COVERAGE: ElementSpec = {
  attributes: { ald: { type: YES_NO }, nonReimbursable: { type: YES_NO }, prevention: { type: YES_NO } },
  sequence: [optional('WorkAccident', { attributes: { date: { type: FRENCH_DATE, required: true, rule: 'V6' } } })],
};

const ITEM: ElementSpec = {
  attributes: {
    kind: { type: ITEM_KIND, required: true },
    line: { type: POSITIVE_INTEGER },
    renewals: { type: RENEWALS, rule: 'V7' },
    offLabel: { type: YES_NO },
    atHome: { type: YES_NO },
  },
  all: [
    optional('CIS', textElement(pattern(/^[0-9]{8}$/, '8 digits')), 'V5'),
    optional('LPP', textElement(pattern(/^[0-9]{7}$/, '7 digits')), 'V5'),
    optional(
      'Code',
      textElement(
        pattern(
          /^(?:[0-9]{4}|[A-Z]{2,4}(?: [0-9]+(?:[.,][0-9]+)?)?)$/,
          "a 4-digit NABM code or an NGAP key such as 'AMI 1.5'",
        ),
      ),
      'V5',
    ),
    one('Label', textElement(TEXT_500), 'V10'),
    optional('Dosage', textElement(TEXT_1000), 'V10'),
    optional('Quantity', textElement(QUANTITY_TEXT), 'V7'),
    optional('Duration', textElement(ISO_PERIOD), 'V7'),
    optional('Sessions', textElement(QUANTITY_TEXT), 'V7'),
    optional('Frequency', textElement(TEXT_200)),
    optional('StartDate', textElement(FRENCH_DATE), 'V6'),
    optional('NonSubstitutable', { attributes: { reason: { type: TEXT_200, required: true, rule: 'V8' } } }, 'V8'),
  ],
};

/** The root element. */
export const PRESCRIPTION: ElementSpec = {
  attributes: { schemaVersion: { type: oneOf('1.0'), required: true } },
  sequence: [
    one('Header', HEADER),
    one('Prescriber', PRESCRIBER),
    one('Patient', PATIENT),
    one('Consent', CONSENT),
    optional('Coverage', COVERAGE),
    one('Items', { sequence: [{ name: 'Item', min: 1, max: 100, element: ITEM, rule: 'V9' }] }),
  ],
};

export const ROOT_NAME = 'Prescription';
