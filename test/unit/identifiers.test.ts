import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insKey, isValidCip13, isValidInsValue, isValidRpps, luhnValid } from '../../domain/identifiers';

test('NIR key: worked example of the vendors README', () => {
  assert.equal(insKey('2770775999101'), 33);
  assert.ok(isValidInsValue('277077599910133'));
  assert.equal(isValidInsValue('277077599910134'), false);
});

test('NIR key: Corsica 2B is read as 18, not 20', () => {
  assert.equal(insKey('290052B999555'), 61);
  assert.ok(isValidInsValue('290052B99955561'));
  assert.equal(isValidInsValue('290052B99955507'), false);
});

test('NIR key: Corsica 2A is read as 19', () => {
  const body = '185012A999123';
  const key = String(insKey(body)).padStart(2, '0');
  assert.ok(isValidInsValue(body + key));
  assert.equal(Number(key), 97 - Number(1850119999123n % 97n));
});

test('INS of the vendor examples are valid', () => {
  for (const ins of ['277077599910133', '152036999921432', '290111399930557']) assert.ok(isValidInsValue(ins), ins);
});

test('INS shape: first digit 1-4, 7 or 8', () => {
  assert.equal(isValidInsValue('577077599910133'), false);
  assert.equal(isValidInsValue('27707759991013'), false);
});

test('RPPS: Luhn over 11 digits starting with 1 or 9', () => {
  for (const rpps of ['99900023138', '99900000425', '99900000110']) assert.ok(isValidRpps(rpps), rpps);
  assert.equal(isValidRpps('99900023139'), false);
  assert.equal(isValidRpps('29900023138'), false);
  assert.equal(luhnValid('899900023138'), false, 'the 12-char idNatPs is never Luhn-checked as a whole');
});

test('CIP13: EAN-13 check digit', () => {
  assert.ok(isValidCip13('3400935955838'));
  assert.equal(isValidCip13('3400935955839'), false);
  assert.equal(isValidCip13('3500935955838'), false);
});
