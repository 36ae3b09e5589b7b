/**
 * A deterministic, named list of changes to the lgc-xml examples, for the tests that hold the
 * gateway's structure verdict against the XSD's (xmllint --schema profiles/vendor-schemas/lgc-xml.xsd):
 * padding, xsi attributes, missing, misplaced, unknown and repeated elements and attributes, wrong
 * enumerations, dates, lengths and patterns, empty values, content models, namespaces. Whether a
 * mutation is XSD-valid is not written here: the tests ask xmllint.
 */
import assert from 'node:assert/strict';
import { example, type VendorExample } from './vendor-fixtures';

export interface LgcXmlMutation {
  name: string;
  /** File name of the lgc-xml example it changes. */
  base: string;
  edit(xml: string): string;
}

const DRUGS = 'valid-drugs-only.xml';
const MIXED = 'valid-mixed-drugs-device-nursing.xml';
const BIOLOGY = 'valid-biology-only.xml';
const LATIN1 = 'valid-latin1-prefixed-locum.xml';

/** Replaces `from` (every match of a global regex, else the first) and fails when nothing changed. */
const replace =
  (from: string | RegExp, to: string) =>
  (xml: string): string => {
    const changed = xml.replace(from, to);
    assert.notEqual(changed, xml, `the example does not contain ${String(from)}`);
    return changed;
  };

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const ROOT = '<Prescription xmlns="urn:example:lgc:prescription:1" schemaVersion="1.0"';
const item = (n: number): string => `<Item kind="lab"><Code>1104</Code><Label>NFS ${n}</Label></Item>`;
const items = (count: number) =>
  replace(/<Items>[\s\S]*<\/Items>/, `<Items>${Array.from({ length: count }, (_, i) => item(i + 1)).join('')}</Items>`);

const m = (name: string, base: string, edit: (xml: string) => string): LgcXmlMutation => ({ name, base, edit });
const drugs = (name: string, from: string | RegExp, to: string): LgcXmlMutation => m(name, DRUGS, replace(from, to));

export const LGC_XML_MUTATIONS: readonly LgcXmlMutation[] = [
  // ---------------------------------------------------------------- surrounding whitespace
  drugs('IssueDate padded before', '<IssueDate>14/10/2026<', '<IssueDate> 14/10/2026<'),
  drugs('IssueDate padded after', '<IssueDate>14/10/2026<', '<IssueDate>14/10/2026 <'),
  drugs('IssueDate on its own line', '<IssueDate>14/10/2026<', '<IssueDate>\n      14/10/2026\n    <'),
  drugs('MessageId padded', /<MessageId>([^<]*)</, '<MessageId> $1 <'),
  drugs('@sex padded', 'sex="F"', 'sex=" F"'),
  drugs('@sex padded after', 'sex="F"', 'sex="F "'),
  drugs('IssueTime padded', '<IssueTime>09:32<', '<IssueTime>09:32 <'),
  drugs('Priority padded', '<Priority>routine<', '<Priority> routine<'),
  drugs('EPrescriptionNumber padded', /<EPrescriptionNumber>([^<]*)</, '<EPrescriptionNumber>$1 <'),
  drugs('CIS padded', '<CIS>62080626<', '<CIS> 62080626<'),
  drugs('BirthDate padded', '<BirthDate>14/07/1977<', '<BirthDate>14/07/1977\n<'),
  drugs('INS @root padded', 'root="1.2.250.1.213.1.4.10"', 'root="1.2.250.1.213.1.4.10 "'),
  drugs('@nationalId padded', 'nationalId="899900023138"', 'nationalId=" 899900023138"'),
  drugs('Consent @informedOn padded', 'informedOn="14/10/2026"', 'informedOn="14/10/2026 "'),
  drugs('Item @kind padded', '<Item kind="drug" line="2"', '<Item kind=" drug" line="2"'),
  drugs('@renewals padded (xs:nonNegativeInteger collapses whitespace)', 'renewals="5"', 'renewals=" 5 "'),
  drugs('@line padded (xs:positiveInteger collapses whitespace)', 'line="2"', 'line=" 2"'),
  drugs('Quantity padded (QuantityText allows it)', '<Quantity>3<', '<Quantity> 3 <'),
  drugs('LastName padded (Text100 allows it)', '<LastName>ESSAI<', '<LastName>  ESSAI <'),
  drugs(
    'Label padded with a few spaces',
    '<Label>DOLIPRANE 1000 mg, comprimé<',
    '<Label>DOLIPRANE 1000 mg, comprimé   <',
  ),
  drugs(
    'Label padded with 30 trailing spaces',
    '<Label>DOLIPRANE 1000 mg, comprimé<',
    `<Label>DOLIPRANE 1000 mg, comprimé${' '.repeat(30)}<`,
  ),
  // libxml2's matcher for Text500's pattern (.|\s)*\S(.|\s)* is exponential in a run of spaces: with nothing
  // else in the value it gives up after about 20 ("internal error", so invalid), in about a second.
  drugs(
    'blank Label of 25 spaces (libxml2 gives up)',
    '<Label>DOLIPRANE 1000 mg, comprimé<',
    `<Label>${' '.repeat(25)}<`,
  ),

  // ---------------------------------------------------------------- xsi attributes
  drugs(
    'xsi:schemaLocation on the root',
    ROOT,
    `${ROOT} ${XSI} xsi:schemaLocation="urn:example:lgc:prescription:1 lgc-xml.xsd"`,
  ),
  drugs(
    'xsi:noNamespaceSchemaLocation on the root',
    ROOT,
    `${ROOT} ${XSI} xsi:noNamespaceSchemaLocation="lgc-xml.xsd"`,
  ),
  m(
    'xsi:schemaLocation on a prefixed Latin-1 root',
    LATIN1,
    replace(
      '<lgc:Prescription ',
      `<lgc:Prescription ${XSI} xsi:schemaLocation="urn:example:lgc:prescription:1 https://vendor.example/lgc-xml.xsd" `,
    ),
  ),
  drugs(
    'xsi:schemaLocation on a child',
    '<Header>',
    `<Header ${XSI} xsi:schemaLocation="urn:example:lgc:prescription:1 lgc-xml.xsd">`,
  ),
  drugs(
    'xsi:nil on an element that is not nillable',
    '<Priority>routine</Priority>',
    `<Priority ${XSI} xsi:nil="true"/>`,
  ),
  drugs('attribute in a foreign namespace on the root', ROOT, `${ROOT} xmlns:ext="urn:vendor:ext" ext:build="42"`),

  // ---------------------------------------------------------------- missing elements and attributes
  drugs('no MessageId', /<MessageId>[^<]*<\/MessageId>/, ''),
  drugs('no IssueDate', '<IssueDate>14/10/2026</IssueDate>', ''),
  drugs('no Prescriber/LastName', '<LastName>FICTIF</LastName>', ''),
  drugs('no Practice/Name', /<Name>[^<]*<\/Name>/, ''),
  drugs('no Patient/BirthDate', '<BirthDate>14/07/1977</BirthDate>', ''),
  drugs('no INS', /<INS [^>]*\/>/, ''),
  drugs('no Consent', /<Consent [^>]*\/>/, ''),
  drugs('no Items', /<Items>[\s\S]*<\/Items>/, ''),
  drugs('Items without Item', /<Items>[\s\S]*<\/Items>/, '<Items/>'),
  drugs('Item without Label', '<Label>DOLIPRANE 1000 mg, comprimé</Label>', ''),
  drugs('Address without PostCode', '<PostCode>75011</PostCode>', ''),
  drugs('no @sex', '<Patient sex="F">', '<Patient>'),
  drugs('no @schemaVersion', ' schemaVersion="1.0"', ''),
  drugs('no @nationalId', ' nationalId="899900023138"', ''),
  drugs('no INS @root', ' root="1.2.250.1.213.1.4.10"', ''),
  drugs('no Consent @informedOn', ' informedOn="14/10/2026"', ''),
  drugs('no Item @kind', '<Item kind="drug" line="3"', '<Item line="3"'),
  drugs('no NonSubstitutable @reason', / reason="[^"]*"/, ''),
  drugs('no Software @version', ' version="11.4.2"', ''),
  drugs(
    'optional parts left out (Coverage, dmpOptOut, Priority, Software)',
    / dmpOptOut="no"|<Priority>routine<\/Priority>|<Software [^>]*\/>/g,
    '',
  ),

  // ---------------------------------------------------------------- order
  drugs(
    'LastName and FirstName swapped',
    '<LastName>FICTIF</LastName>\n    <FirstName>Alain</FirstName>',
    '<FirstName>Alain</FirstName>\n    <LastName>FICTIF</LastName>',
  ),
  drugs(
    'IssueTime before IssueDate',
    '<IssueDate>14/10/2026</IssueDate>\n    <IssueTime>09:32</IssueTime>',
    '<IssueTime>09:32</IssueTime>\n    <IssueDate>14/10/2026</IssueDate>',
  ),
  m('Coverage after Items', MIXED, (xml) =>
    replace('</Items>', '</Items>\n  <Coverage ald="yes"/>')(replace(/<Coverage [^>]*\/>/, '')(xml)),
  ),
  drugs('Consent before Patient', /(<Patient [\s\S]*<\/Patient>)\s*(<Consent [^>]*\/>)/, '$2\n  $1'),
  drugs(
    'Item children in another order (xs:all)',
    '<CIS>61599041</CIS>\n      <Label>RAMIPRIL BIOGARAN 5 mg, comprimé sécable</Label>',
    '<Label>RAMIPRIL BIOGARAN 5 mg, comprimé sécable</Label>\n      <CIS>61599041</CIS>',
  ),

  // ---------------------------------------------------------------- unknown elements and attributes
  drugs(
    'unknown element in Header',
    '<Priority>routine</Priority>',
    '<Priority>routine</Priority><Channel>web</Channel>',
  ),
  drugs('unknown element in Items', '<Items>', '<Items><Extra/>'),
  drugs('unknown element in an Item', '<Quantity>1</Quantity>', '<Quantity>1</Quantity><Color>blue</Color>'),
  drugs(
    'known element in a foreign namespace',
    '<Priority>routine</Priority>',
    '<Priority xmlns="urn:other">routine</Priority>',
  ),
  drugs('unknown attribute on Patient', '<Patient sex="F">', '<Patient sex="F" nickname="Jo">'),
  drugs('unknown attribute on an Item', '<Item kind="drug" line="3"', '<Item kind="drug" line="3" color="blue"'),

  // ---------------------------------------------------------------- enumerations
  drugs('@sex X', 'sex="F"', 'sex="X"'),
  drugs('@sex lower case', 'sex="F"', 'sex="f"'),
  drugs('@kind homeopathy', '<Item kind="drug" line="2"', '<Item kind="homeopathy" line="2"'),
  drugs('Priority high', '<Priority>routine<', '<Priority>high<'),
  drugs('@dispensingViewOptOut false', 'dispensingViewOptOut="no"', 'dispensingViewOptOut="false"'),
  drugs('@dmpOptOut YES', 'dmpOptOut="no"', 'dmpOptOut="YES"'),
  drugs('@schemaVersion 1.1', 'schemaVersion="1.0"', 'schemaVersion="1.1"'),
  drugs('INS @root another OID', 'root="1.2.250.1.213.1.4.10"', 'root="1.2.250.1.213.1.4.12"'),

  // ---------------------------------------------------------------- occurrences
  drugs('two MessageId', /(<MessageId>[^<]*<\/MessageId>)/, '$1$1'),
  drugs('two CIS in an Item (xs:all)', '<CIS>61599041</CIS>', '<CIS>61599041</CIS><CIS>61599041</CIS>'),
  drugs('two Consent', /(<Consent [^>]*\/>)/, '$1$1'),
  drugs('four Address lines', /<Line>[^<]*<\/Line>/, '<Line>a</Line><Line>b</Line><Line>c</Line><Line>d</Line>'),
  m('100 Items', BIOLOGY, items(100)),
  m('101 Items', BIOLOGY, items(101)),

  // ---------------------------------------------------------------- dates and times
  drugs('IssueDate ISO', '<IssueDate>14/10/2026<', '<IssueDate>2026-10-14<'),
  drugs('IssueDate two-digit year', '<IssueDate>14/10/2026<', '<IssueDate>14/10/26<'),
  drugs('IssueDate day 32', '<IssueDate>14/10/2026<', '<IssueDate>32/10/2026<'),
  drugs('IssueDate month 13', '<IssueDate>14/10/2026<', '<IssueDate>14/13/2026<'),
  drugs('IssueDate with dashes', '<IssueDate>14/10/2026<', '<IssueDate>14-10-2026<'),
  drugs('BirthDate without leading zeros', '<BirthDate>14/07/1977<', '<BirthDate>14/7/1977<'),
  drugs('@informedOn ISO', 'informedOn="14/10/2026"', 'informedOn="2026-10-14"'),
  m('WorkAccident @date ISO', LATIN1, replace(/(<lgc:WorkAccident date=")[^"]*"/, '$12026-11-02"')),
  m('StartDate with dots', MIXED, replace('<StartDate>21/10/2026<', '<StartDate>21.10.2026<')),
  drugs('IssueTime 24:00', '<IssueTime>09:32<', '<IssueTime>24:00<'),
  drugs('IssueTime without leading zero', '<IssueTime>09:32<', '<IssueTime>9:32<'),
  drugs(
    'IssueDate split by a comment (one value for the XSD)',
    '<IssueDate>14/10/2026<',
    '<IssueDate>14/10<!-- x -->/2026<',
  ),
  drugs('IssueDate in CDATA', '<IssueDate>14/10/2026<', '<IssueDate><![CDATA[14/10/2026]]><'),

  // ---------------------------------------------------------------- empty values
  drugs('empty MessageId', /<MessageId>[^<]*<\/MessageId>/, '<MessageId/>'),
  drugs('empty LastName', '<LastName>ESSAI</LastName>', '<LastName></LastName>'),
  drugs('blank LastName', '<LastName>ESSAI</LastName>', '<LastName>   </LastName>'),
  drugs('empty Label', '<Label>DOLIPRANE 1000 mg, comprimé</Label>', '<Label/>'),
  drugs('empty CIS', '<CIS>60234100</CIS>', '<CIS></CIS>'),
  drugs('empty Quantity', '<Quantity>2</Quantity>', '<Quantity/>'),
  drugs('empty @sex', 'sex="F"', 'sex=""'),
  drugs('blank @reason', / reason="[^"]*"/, ' reason="   "'),
  drugs('empty @renewals', 'renewals="5"', 'renewals=""'),

  // ---------------------------------------------------------------- lengths and patterns
  drugs('@nationalId without its 8', 'nationalId="899900023138"', 'nationalId="99900023138"'),
  drugs('@renewals 12', 'renewals="5"', 'renewals="12"'),
  drugs('@renewals -1', 'renewals="5"', 'renewals="-1"'),
  drugs('@line 0', 'line="2"', 'line="0"'),
  drugs('Quantity in words', '<Quantity>3<', '<Quantity>trois boîtes<'),
  drugs('Quantity of 5 digits', '<Quantity>3<', '<Quantity>12345<'),
  drugs('Quantity with a unit', '<Quantity>3<', '<Quantity>3 boîtes<'),
  m(
    'Duration P0M',
    MIXED,
    replace(
      '<Quantity>2</Quantity>\n    </Item>\n    <Item kind="nursing"',
      '<Quantity>2</Quantity><Duration>P0M</Duration>\n    </Item>\n    <Item kind="nursing"',
    ),
  ),
  m(
    'Duration P3M',
    MIXED,
    replace(
      '<Quantity>2</Quantity>\n    </Item>\n    <Item kind="nursing"',
      '<Quantity>2</Quantity><Duration>P3M</Duration>\n    </Item>\n    <Item kind="nursing"',
    ),
  ),
  drugs('CIS of 7 digits', '<CIS>60234100<', '<CIS>6023410<'),
  drugs('Phone with letters', '<Phone>+33 1 99 00 12 34<', '<Phone>+33 1 CABINET<'),
  drugs('PostCode of 4 digits', '<PostCode>75011<', '<PostCode>7501<'),
  drugs('MessageId of 7 characters', /<MessageId>[^<]*</, '<MessageId>abc-123<'),
  drugs('MessageId with a space inside', /<MessageId>[^<]*</, '<MessageId>abc 12345<'),
  drugs('EPrescriptionNumber lower case', /<EPrescriptionNumber>([^<]*)</, '<EPrescriptionNumber>doi1s9smrzrh60p2xk<'),
  drugs('INS @extension of 14 characters', /extension="([0-9AB]{14})[0-9]"/, 'extension="$1"'),
  drugs('LastName of 100 characters', '<LastName>ESSAI<', `<LastName>${'E'.repeat(100)}<`),
  drugs('LastName of 101 characters', '<LastName>ESSAI<', `<LastName>${'E'.repeat(101)}<`),
  drugs('LastName on two lines (Text100 is single-line)', '<LastName>ESSAI<', '<LastName>ES\nSAI<'),
  drugs('Dosage on two lines (Text1000 is not)', '<Dosage>1 comprimé le matin<', '<Dosage>1 comprimé\nle matin<'),
  drugs('Label of 501 characters', '<Label>DOLIPRANE 1000 mg, comprimé<', `<Label>${'D'.repeat(501)}<`),
  m('NGAP Code with a decimal comma', MIXED, replace('<Code>AMI 1.5<', '<Code>AMI 1,5<')),
  m('NGAP Code in lower case', MIXED, replace('<Code>AMI 1.5<', '<Code>ami 1.5<')),

  // ---------------------------------------------------------------- content models
  drugs('text between elements', '<Header>', '<Header>oops'),
  drugs('element inside a text-only element', '<LastName>ESSAI</LastName>', '<LastName><b>ESSAI</b></LastName>'),
  drugs('text inside an empty element (Consent)', /<Consent ([^>]*)\/>/, '<Consent $1>yes</Consent>'),
  drugs('comment and processing instruction between elements', '<Header>', '<Header><!-- note --><?lap-hint keep?>'),

  // ---------------------------------------------------------------- namespaces
  drugs(
    'root in another namespace',
    'xmlns="urn:example:lgc:prescription:1"',
    'xmlns="urn:example:lgc:prescription:2"',
  ),
  drugs('root in no namespace', ' xmlns="urn:example:lgc:prescription:1"', ''),
  m('prefixed, one child left unprefixed', LATIN1, replace('<lgc:Consent ', '<Consent ')),
  m('another prefix for the same namespace', BIOLOGY, (xml) =>
    xml
      .replace('xmlns="urn:example:lgc:prescription:1"', 'xmlns:p="urn:example:lgc:prescription:1"')
      .replace(/<(\/?)([A-Za-z])/g, '<$1p:$2'),
  ),
  m('everything on one line', MIXED, (xml) => replace(/>\s+</g, '><')(xml)),
  m('everything on one line, faults in same-named elements', MIXED, (xml) =>
    replace(
      /<Label>Lecteur[^<]*<\/Label>/,
      '<Label/>',
    )(replace(/<Quantity>2<\/Quantity>/g, '<Quantity>two</Quantity>')(replace(/>\s+</g, '><')(xml))),
  ),
];

/** The mutation applied to its example: the bytes in the example's encoding. */
export function mutatedBody(mutation: LgcXmlMutation, base: VendorExample = example('lgc-xml', mutation.base)): Buffer {
  return Buffer.from(mutation.edit(base.body), base.encoding);
}
