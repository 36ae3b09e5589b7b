/**
 * The prescribing scope of each profession (PROFESSION_TABLE, domain/professions.ts) as the intake
 * rule applies it: for each prescribing profession, a line it may prescribe and one it may not,
 * written out here by hand from the README "Prescribing scope" table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActLine, ActType, DeviceLine, DrugLine, PrescriptionLine } from '../../domain/prescription';
import { isValidCip13, isValidCis, isValidLpp } from '../../domain/identifiers';
import * as products from '../../domain/prescribable-products';
import {
  PRESCRIBING_PROFESSIONS,
  PROFESSION_OF_G15_CODE,
  PROFESSIONS,
  prescribingScopeOf,
  type Profession,
} from '../../domain/professions';
import { checkPrescribingScope, toVendorPaths } from '../../rules/intake';

const drug = (codes: { cip13?: string; cis?: string }, label: string): DrugLine => ({
  kind: 'drug',
  ...codes,
  label,
  posology: { text: '1 par jour' },
  quantity: 1,
  renewals: 0,
  nonSubstitutable: false,
  offLabel: false,
});
const device = (lpp: string | undefined, label: string): DeviceLine => ({
  kind: 'device',
  ...(lpp ? { lpp } : {}),
  label,
  quantity: 1,
});
const act = (actType: ActType, label: string): ActLine => ({
  kind: 'act',
  actType,
  label,
  sessions: 10,
  atHome: false,
});

// Codes of the vendor examples (BDPM) and of the shipped lists (domain/prescribable-products.ts).
const LEVOTHYROX = drug({ cip13: '3400930065785', cis: '62080626' }, 'LEVOTHYROX 75 microgrammes');
const RAMIPRIL = drug({ cip13: '3400937253765', cis: '61599041' }, 'RAMIPRIL BIOGARAN 5 mg');
const DOLIPRANE_BY_CIS = drug({ cis: '60234100' }, 'DOLIPRANE 1000 mg');
const NICOPATCH = drug({ cip13: '3400938380118' }, 'NICOPATCH 7 mg/24 h');
const VAXIGRIPTETRA = drug({ cis: '61402736' }, 'VAXIGRIPTETRA');
const COMPRESSES = device('6376090', 'Compresses non tissées non stériles');
const GLUCOSE_METER = device('1101720', 'Lecteur de glycémie');
const UNCODED_DEVICE = device(undefined, 'Pansement');

/** Written out by hand: for each prescribing profession, lines it may prescribe and lines it may not. */
const EXPECTED: Record<
  Exclude<Profession, 'pharmacist' | 'biologist' | 'lpp-supplier'>,
  { allowed: PrescriptionLine[]; refused: PrescriptionLine[] }
> = {
  doctor: {
    allowed: [LEVOTHYROX, GLUCOSE_METER, UNCODED_DEVICE, act('actePedicurie', 'Soins'), act('acteOrthoptie', 'Bilan')],
    refused: [],
  },
  dentist: {
    allowed: [RAMIPRIL, GLUCOSE_METER, act('acteBiologieMedicale', 'TP-INR'), act('acteOrthophonie', 'Déglutition')],
    refused: [act('actePedicurie', 'Soins de pédicurie'), act('acteOrthoptie', 'Rééducation orthoptique')],
  },
  midwife: {
    allowed: [DOLIPRANE_BY_CIS, NICOPATCH, VAXIGRIPTETRA, COMPRESSES, act('acteBiologieMedicale', 'Glycémie')],
    refused: [LEVOTHYROX, GLUCOSE_METER, act('acteKinesitherapie', 'Rééducation')],
  },
  nurse: {
    allowed: [COMPRESSES, NICOPATCH, VAXIGRIPTETRA],
    refused: [LEVOTHYROX, RAMIPRIL, DOLIPRANE_BY_CIS, GLUCOSE_METER, UNCODED_DEVICE, act('acteInfirmier', 'Injection')],
  },
  physiotherapist: {
    allowed: [act('acteKinesitherapie', 'Rééducation du genou'), NICOPATCH],
    refused: [RAMIPRIL, COMPRESSES, act('acteInfirmier', 'Injection')],
  },
  'speech-therapist': {
    allowed: [act('acteOrthophonie', 'Rééducation du langage')],
    refused: [DOLIPRANE_BY_CIS, NICOPATCH, act('acteKinesitherapie', 'Rééducation')],
  },
  // Their lists have no product code yet (README "Prescribing scope"): every line is refused, fail closed.
  orthoptist: {
    allowed: [],
    refused: [COMPRESSES, DOLIPRANE_BY_CIS, act('acteOrthoptie', 'Rééducation orthoptique')],
  },
  podiatrist: {
    allowed: [],
    refused: [COMPRESSES, LEVOTHYROX, act('actePedicurie', 'Soins de pédicurie')],
  },
};

describe('prescribing scope per profession', () => {
  it('the prescribing professions are those of the table, dentists and midwives included', () => {
    assert.deepEqual([...PRESCRIBING_PROFESSIONS].sort(), Object.keys(EXPECTED).sort());
    assert.equal(PROFESSION_OF_G15_CODE['40'], 'dentist');
    assert.equal(PROFESSION_OF_G15_CODE['50'], 'midwife');
  });

  for (const [profession, { allowed, refused }] of Object.entries(EXPECTED) as [
    Profession,
    { allowed: PrescriptionLine[]; refused: PrescriptionLine[] },
  ][]) {
    it(`${profession}: ${allowed.length} lines allowed, ${refused.length} refused`, () => {
      assert.deepEqual(checkPrescribingScope(allowed, profession), [], 'allowed lines');
      const problems = checkPrescribingScope(refused, profession);
      assert.deepEqual(
        problems.map((p) => p.line),
        refused.map((_, i) => i + 1),
        'every refused line is reported, at its own line',
      );
      const basis = prescribingScopeOf(profession)!.basis;
      for (const p of problems) {
        assert.equal(p.code, 'forbidden');
        assert.equal(p.path, `/lines/${p.line - 1}`);
        assert.match(p.message, new RegExp(`^an? ${profession.replace('-', ' ')} \\(G15_\\d\\d\\) may`));
        assert.match(p.message, /CSP [LR]\.\d{4}/, `the message names the legal text: ${p.message}`);
        if (/may not prescribe/.test(p.message)) assert.ok(p.message.endsWith(basis), p.message);
      }
    });
  }

  it('the refusal names the rule, the lists and their texts, and the codes of the line', () => {
    const [problem] = checkPrescribingScope([LEVOTHYROX], 'nurse');
    assert.equal(
      problem!.message,
      'a nurse (G15_60) may prescribe drugs only from these lists: vaccines of the vaccination calendar ' +
        '(CSP L.4311-1 and R.4311-5-1, arrêté du 8 août 2023); nicotine substitutes (CSP L.3511-3): ' +
        'drug line 1 (CIP13 3400930065785, CIS 62080626) is in none of them (the gateway knows them by product code)',
    );
    const [uncoded] = checkPrescribingScope([UNCODED_DEVICE], 'nurse');
    assert.match(uncoded!.message, /device line 1 has no product code to look up in them$/);
    const [act] = checkPrescribingScope([COMPRESSES, EXPECTED.nurse.refused.at(-1)!], 'nurse');
    assert.equal(
      act!.message,
      'a nurse (G15_60) may not prescribe nursing acts: nursing act line 2 is outside that scope — CSP L.4311-1',
    );
  });

  it('a drug is matched by its CIP13 or its CIS, whichever the format carries', () => {
    assert.deepEqual(checkPrescribingScope([drug({ cip13: '3400935955838' }, 'DOLIPRANE')], 'midwife'), []);
    assert.deepEqual(checkPrescribingScope([drug({ cis: '60234100' }, 'DOLIPRANE')], 'midwife'), []);
    // A code of another list does not count, even for the same profession.
    assert.equal(checkPrescribingScope([drug({ cis: '6376090' }, 'not a drug code')], 'midwife').length, 1);
  });

  it('a profession that does not prescribe, or no profession, may prescribe nothing', () => {
    for (const profession of PROFESSIONS.filter((p) => !PRESCRIBING_PROFESSIONS.includes(p))) {
      const problems = checkPrescribingScope([DOLIPRANE_BY_CIS, COMPRESSES], profession);
      assert.equal(problems.length, 2, profession);
      assert.match(problems[0]!.message, /may not prescribe/);
    }
    assert.equal(checkPrescribingScope([DOLIPRANE_BY_CIS], undefined).length, 1);
  });

  it('problems point at the line in the vendor’s own terms', () => {
    const problems = checkPrescribingScope([COMPRESSES, LEVOTHYROX], 'nurse');
    const vendor = toVendorPaths(
      problems.map(({ line: _line, ...p }) => p),
      { '/lines/0': '/lignes/0', '/lines/1': '/lignes/1', '/lines/1/cip13': '/lignes/1/codeCIP13' },
    );
    assert.deepEqual(
      vendor.map((p) => p.path),
      ['/lignes/1'],
    );
  });

  it('every shipped product code is well-formed (CIP13 with its check digit, CIS, LPP)', () => {
    const lists = Object.values(products).filter((v): v is products.ProductList => typeof v === 'object');
    assert.ok(lists.length >= 5);
    for (const list of lists) {
      for (const code of Object.keys(list.codes)) {
        assert.ok(
          isValidCip13(code) || (code.length === 8 && isValidCis(code)) || (code.length === 7 && isValidLpp(code)),
          `${list.name}: ${code}`,
        );
      }
    }
  });
});
