import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneStartTagPerLine, startTags } from '../../mappers/shared/xml-start-tags';

const lines = (xml: string) => startTags(Buffer.from(xml, 'utf8')).map((t) => [t.firstLine, t.lastLine]);

test('start tags in document order with their lines; end tags, comments, CDATA, PIs and declarations are not', () => {
  const xml = [
    '<?xml version="1.0"?>',
    '<!-- <not> -->',
    '<a x="1 > 0">',
    '  <b',
    '     y="2"',
    '  /><![CDATA[ <not/> ]]><?pi <not/>?>',
    '  <c>text</c><d/>',
    '</a>',
  ].join('\n');
  assert.deepEqual(lines(xml), [
    [3, 3],
    [4, 6],
    [7, 7],
    [7, 7],
  ]);
});

test('CRLF, CR and LF each end one line, as XML (and libxml2) count them', () => {
  assert.deepEqual(lines('<a>\r\n<b/>\r<c/>\n\r\n<d/></a>'), [
    [1, 1],
    [2, 2],
    [3, 3],
    [5, 5],
  ]);
});

test('multi-byte UTF-8 and ISO-8859-1 bytes do not disturb the scan', () => {
  assert.deepEqual(lines('<a t="é>"><b>Œ</b></a>'), [
    [1, 1],
    [1, 1],
  ]);
  assert.deepEqual(
    startTags(Buffer.from('<a t="\u00e9">\n<b/></a>', 'latin1')).map((t) => t.firstLine),
    [1, 2],
  );
});

test('one start tag per line: a line feed before each start tag but the first', () => {
  const xml = Buffer.from('<?xml version="1.0"?><a><b x=">"/><c>t</c></a>');
  const split = Buffer.from(oneStartTagPerLine(xml, startTags(xml))).toString();
  assert.equal(split, '<?xml version="1.0"?><a>\n<b x=">"/>\n<c>t</c></a>');
  assert.deepEqual(
    startTags(Buffer.from(split)).map((t) => t.firstLine),
    [1, 2, 3],
  );
});
