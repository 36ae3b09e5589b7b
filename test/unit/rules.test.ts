import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActLine, DeviceLine, DrugLine, Prescription, VendorFormat } from '../../domain/prescription';
import { mapper as epuJson } from '../../mappers/epu-json';
import { mapper as lgcXml } from '../../mappers/lgc-xml';
import { checkPrescriptionRules, toVendorPaths, type RuleProblem } from '../../rules/intake';
import { drugsOnly } from '../fixtures/canonical';
import { mapped, mapWithSchema } from '../support/map-result';
import { vendorExamplesDir } from '../support/vendor-fixtures';

const NOW = new Date('2026-11-26T12:00:00Z');

/** A canonical prescription that passes every rule; each test breaks one thing. */
function validPrescription(): Prescription {
  // The drugs-only fixture's patient, consent and context, copied: the tests change them.
  const { patient, consent, context } = structuredClone(drugsOnly.prescription);
  return {
    messageId: 'rules-test-0001',
    sourceFormat: 'epu-json',
    authoredOn: '2026-10-14T09:32:00+02:00',
    priority: 'routine',
    prescriber: { rpps: '99900023138', family: 'FICTIF', given: 'Alain' },
    organization: { name: 'Cabinet fictif', amNumber: '991000696' },
    patient,
    consent,
    context,
    lines: [
      {
        kind: 'drug',
        cip13: '3400935955838',
        cis: '60234100',
        label: 'DOLIPRANE 1000 mg, comprimé',
        posology: {
          text: '1 comprimé 3 fois par jour',
          structured: { dosePerIntake: 1, unit: 'comprimé', intakesPerDay: 3, duration: { value: 5, unit: 'd' } },
        },
        quantity: 2,
        renewals: 0,
        nonSubstitutable: true,
        nonSubstitutionReason: { code: 'MTE', text: 'Marge thérapeutique étroite' },
        offLabel: false,
      },
      { kind: 'device', lpp: '1101720', label: 'Lecteur de glycémie', quantity: 1, duration: { value: 1, unit: 'mo' } },
      { kind: 'act', actType: 'acteBiologieMedicale', code: '1104', label: 'NFS', atHome: false },
      {
        kind: 'act',
        actType: 'acteInfirmier',
        code: 'AMI 1',
        label: 'Injection',
        sessions: 10,
        frequency: { count: 1, periodUnit: 'd' },
        atHome: true,
        startDate: '2027-01-15',
      },
    ],
  };
}

const drugOf = (p: Prescription): DrugLine => p.lines[0] as DrugLine;
const deviceOf = (p: Prescription): DeviceLine => p.lines[1] as DeviceLine;
const biologyOf = (p: Prescription): ActLine => p.lines[2] as ActLine;
const nursingOf = (p: Prescription): ActLine => p.lines[3] as ActLine;

function problemsAfter(change: (p: Prescription) => void, now = NOW): RuleProblem[] {
  const prescription = validPrescription();
  change(prescription);
  return checkPrescriptionRules(prescription, now);
}

/** Exactly one problem, with this rule and canonical path; returns it for message checks. */
function onlyProblem(problems: RuleProblem[], rule: string, path: string): RuleProblem {
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0]!.rule, rule);
  assert.equal(problems[0]!.path, path);
  return problems[0]!;
}

test('the reference prescription passes every rule', () => {
  assert.deepEqual(
    problemsAfter(() => {}),
    [],
  );
});

test('rules do not modify the prescription', () => {
  const prescription = validPrescription();
  prescription.lines = [];
  prescription.patient.ins.value = 'x';
  const before = structuredClone(prescription);
  checkPrescriptionRules(prescription, NOW);
  assert.deepEqual(prescription, before);
});

describe('V3 INS', () => {
  test('a wrong key says what was found and what the body gives', () => {
    const problem = onlyProblem(
      problemsAfter((p) => (p.patient.ins.value = '277077599910134')),
      'V3',
      '/patient/ins/value',
    );
    assert.match(problem.message, /^INS key is 34 but the NIR body 2770775999101 gives 33/);
    assert.equal(problem.code, 'value');
  });

  test('Corsica: 2A is read as 19 and 2B as 18', () => {
    for (const value of ['222052A99912315', '290052B99955561'])
      assert.deepEqual(
        problemsAfter((p) => (p.patient.ins.value = value)),
        [],
        value,
      );
    const problem = onlyProblem(
      problemsAfter((p) => (p.patient.ins.value = '290052B99955507')),
      'V3',
      '/patient/ins/value',
    );
    assert.match(problem.message, /gives 61 .*2B as 18/);
  });

  test('an NIA is checked the same way and named as such', () => {
    const problem = onlyProblem(
      problemsAfter((p) => (p.patient.ins = { value: '277077599910134', oid: '1.2.250.1.213.1.4.9' })),
      'V3',
      '/patient/ins/value',
    );
    assert.match(problem.message, /NIA body/);
  });

  test('shape: first digit, length, department', () => {
    for (const value of ['577077599910133', '27707759991013', '2770775X9910133', '2770720C9910133']) {
      onlyProblem(
        problemsAfter((p) => (p.patient.ins.value = value)),
        'V3',
        '/patient/ins/value',
      );
    }
  });

  test('only the four INS OIDs are accepted', () => {
    for (const oid of ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.11']) {
      assert.deepEqual(
        problemsAfter((p) => (p.patient.ins.oid = oid)),
        [],
        oid,
      );
    }
    const problem = onlyProblem(
      problemsAfter((p) => (p.patient.ins.oid = '1.2.250.1.213.1.4.2')),
      'V3',
      '/patient/ins/oid',
    );
    assert.match(problem.message, /'1.2.250.1.213.1.4.2' is not one of the four INS OIDs/);
  });
});

describe('V4 RPPS', () => {
  test('Luhn failure on the prescriber', () => {
    const problem = onlyProblem(
      problemsAfter((p) => (p.prescriber.rpps = '99900023139')),
      'V4',
      '/prescriber/rpps',
    );
    assert.match(
      problem.message,
      /RPPS 99900023139 fails the Luhn check \(its first 10 digits give check digit 8, not 9\)/,
    );
  });

  test('shape: 11 digits starting with 1 or 9', () => {
    for (const rpps of ['29900023138', '9990002313', '899900023138'])
      onlyProblem(
        problemsAfter((p) => (p.prescriber.rpps = rpps)),
        'V4',
        '/prescriber/rpps',
      );
  });

  test('the replaced practitioner is checked too', () => {
    assert.deepEqual(
      problemsAfter((p) => (p.replacedPrescriber = { rpps: '99900007487', family: 'X', given: 'Y' })),
      [],
    );
    const problem = onlyProblem(
      problemsAfter((p) => (p.replacedPrescriber = { rpps: '99900007488', family: 'X', given: 'Y' })),
      'V4',
      '/replacedPrescriber/rpps',
    );
    assert.match(problem.message, /^replaced practitioner RPPS 99900007488 fails the Luhn check/);
  });
});

describe('V5 codes', () => {
  test('CIP13 check digit', () => {
    const problem = onlyProblem(
      problemsAfter((p) => (drugOf(p).cip13 = '3400935955839')),
      'V5',
      '/lines/0/cip13',
    );
    assert.equal(
      problem.message,
      'CIP13 3400935955839 of drug line 1 ends with 9 but the EAN-13 check digit of its first 12 digits is 8',
    );
  });

  test('CIP13 shape, CIS, LPP and NABM lengths', () => {
    onlyProblem(
      problemsAfter((p) => (drugOf(p).cip13 = '3500935955838')),
      'V5',
      '/lines/0/cip13',
    );
    onlyProblem(
      problemsAfter((p) => (drugOf(p).cis = '6023410')),
      'V5',
      '/lines/0/cis',
    );
    onlyProblem(
      problemsAfter((p) => (deviceOf(p).lpp = '110172')),
      'V5',
      '/lines/1/lpp',
    );
    const nabm = onlyProblem(
      problemsAfter((p) => (biologyOf(p).code = '110')),
      'V5',
      '/lines/2/code',
    );
    assert.equal(nabm.message, "NABM code '110' of biology act line 3 must be 4 digits");
  });

  test('an NGAP key on a nursing act is not a NABM code', () => {
    assert.deepEqual(
      problemsAfter((p) => (nursingOf(p).code = 'AMI 1.5')),
      [],
    );
  });
});

describe('V6 dates', () => {
  test('31/02 is not a calendar date; 29/02 only in leap years', () => {
    const problem = onlyProblem(
      problemsAfter((p) => (p.patient.birthDate = '2026-02-31')),
      'V6',
      '/patient/birthDate',
    );
    assert.equal(problem.message, "birth date '2026-02-31' is not a real calendar date: February 2026 has 28 days");
    onlyProblem(
      problemsAfter((p) => (p.patient.birthDate = '1977-02-29')),
      'V6',
      '/patient/birthDate',
    );
    assert.deepEqual(
      problemsAfter((p) => (p.patient.birthDate = '1976-02-29')),
      [],
    );
    onlyProblem(
      problemsAfter((p) => (p.patient.birthDate = '1977-13-01')),
      'V6',
      '/patient/birthDate',
    );
  });

  test('the prescription date must be a real date-time', () => {
    onlyProblem(
      problemsAfter((p) => (p.authoredOn = '2026-02-31T10:00:00+01:00')),
      'V6',
      '/authoredOn',
    );
    onlyProblem(
      problemsAfter((p) => (p.authoredOn = '2026-10-14T24:00:00+02:00')),
      'V6',
      '/authoredOn',
    );
    onlyProblem(
      problemsAfter((p) => (p.authoredOn = '2026-10-14')),
      'V6',
      '/authoredOn',
    );
  });

  test('the prescription instant may be at most 5 minutes ahead of the receiver clock', () => {
    assert.deepEqual(
      problemsAfter((p) => (p.authoredOn = '2026-11-26T13:04:00+01:00')),
      [],
    );
    const problem = onlyProblem(
      problemsAfter((p) => (p.authoredOn = '2026-11-26T13:06:00+01:00')),
      'V6',
      '/authoredOn',
    );
    assert.match(
      problem.message,
      /is in the future \(receiver clock 2026-11-26T12:00:00.000Z, 5 minutes of tolerance\)/,
    );
  });

  test('birth, consent and work-accident dates may not be in the future (today in Paris)', () => {
    const birth = onlyProblem(
      problemsAfter((p) => (p.patient.birthDate = '2026-11-27')),
      'V6',
      '/patient/birthDate',
    );
    assert.equal(birth.message, 'birth date 2026-11-27 is in the future (today is 2026-11-26 in Europe/Paris)');
    onlyProblem(
      problemsAfter((p) => (p.consent.informedOn = '2027-01-01')),
      'V6',
      '/consent/informedOn',
    );
    onlyProblem(
      problemsAfter((p) => (p.context.workAccidentDate = '2026-12-01')),
      'V6',
      '/context/workAccidentDate',
    );
  });

  test("today is Paris's today: at 23:30 UTC on 26/11 it is already 27/11 in Paris", () => {
    const informedOn27 = (authoredOn: string) => (p: Prescription) => {
      p.authoredOn = authoredOn;
      p.consent.informedOn = '2026-11-27';
    };
    // 23:30 UTC = 00:30 on the 27th in Paris: informed "today".
    assert.deepEqual(problemsAfter(informedOn27('2026-11-27T00:20:00+01:00'), new Date('2026-11-26T23:30:00Z')), []);
    // 22:30 UTC = 23:30 on the 26th in Paris: the 27th is tomorrow.
    const problem = onlyProblem(
      problemsAfter(informedOn27('2026-11-26T23:20:00+01:00'), new Date('2026-11-26T22:30:00Z')),
      'V6',
      '/consent/informedOn',
    );
    assert.match(problem.message, /in the future \(today is 2026-11-26 in Europe\/Paris\)/);
  });

  test('dates may not be after the prescription date, compared as Paris dates', () => {
    const problem = onlyProblem(
      problemsAfter((p) => (p.consent.informedOn = '2026-10-15')),
      'V6',
      '/consent/informedOn',
    );
    assert.equal(problem.message, 'date the patient was informed 2026-10-15 is after the prescription date 2026-10-14');
    onlyProblem(
      problemsAfter((p) => (p.context.workAccidentDate = '2026-10-20')),
      'V6',
      '/context/workAccidentDate',
    );
    // 23:30 UTC on 14/10 is 01:30 on 15/10 in Paris: informed on the 15th is the same day.
    assert.deepEqual(
      problemsAfter((p) => {
        p.authoredOn = '2026-10-14T23:30:00Z';
        p.consent.informedOn = '2026-10-15';
      }),
      [],
    );
  });

  test('implausible years are refused: no date before 1900, no instant before the e-prescription service', () => {
    const birth = onlyProblem(
      problemsAfter((p) => (p.patient.birthDate = '1850-01-01')),
      'V6',
      '/patient/birthDate',
    );
    assert.equal(birth.message, 'birth date 1850-01-01 is before 1900-01-01: check the year');
    assert.deepEqual(
      problemsAfter((p) => (p.patient.birthDate = '1900-01-01')),
      [],
    );
    onlyProblem(
      problemsAfter((p) => (p.context.workAccidentDate = '1899-12-31')),
      'V6',
      '/context/workAccidentDate',
    );
    const old = onlyProblem(
      problemsAfter((p) => {
        p.authoredOn = '2018-12-31T23:00:00+00:00';
        p.patient.birthDate = '1977-07-14';
        p.consent.informedOn = '2018-12-31';
        delete nursingOf(p).startDate;
      }),
      'V6',
      '/authoredOn',
    );
    assert.equal(
      old.message,
      'prescription date 2018-12-31T23:00:00+00:00 is before 2019-01-01, when e-prescriptions began: check the year',
    );
  });

  test('the message timestamp, when the format has one, obeys the prescription date limits', () => {
    const withSentAt = (sentAt: string): RuleProblem[] => checkPrescriptionRules(validPrescription(), NOW, sentAt);
    assert.deepEqual(withSentAt('2026-11-26T13:04:00+01:00'), []);
    const future = onlyProblem(withSentAt('9999-12-31T00:00:00Z'), 'V6', '/sentAt');
    assert.match(future.message, /^message timestamp 9999-12-31T00:00:00Z is in the future \(receiver clock/);
    onlyProblem(withSentAt('1970-01-01T00:00:00Z'), 'V6', '/sentAt');
    onlyProblem(withSentAt('2026-02-30T10:00:00Z'), 'V6', '/sentAt');
  });

  test('an act may start at most 5 years after the prescription date, and not before 1900', () => {
    assert.deepEqual(
      problemsAfter((p) => (nursingOf(p).startDate = '2031-10-14')),
      [],
    );
    const late = onlyProblem(
      problemsAfter((p) => (nursingOf(p).startDate = '9999-12-31')),
      'V6',
      '/lines/3/startDate',
    );
    assert.equal(
      late.message,
      'start date of nursing act line 4 9999-12-31 is more than 60 months after the prescription date 2026-10-14',
    );
    onlyProblem(
      problemsAfter((p) => (nursingOf(p).startDate = '0001-01-01')),
      'V6',
      '/lines/3/startDate',
    );
  });

  test('act start dates may be in the future but must exist', () => {
    assert.deepEqual(
      problemsAfter((p) => (nursingOf(p).startDate = '2030-06-01')),
      [],
    );
    const problem = onlyProblem(
      problemsAfter((p) => (nursingOf(p).startDate = '2027-02-30')),
      'V6',
      '/lines/3/startDate',
    );
    assert.match(problem.message, /start date '2027-02-30' of nursing act line 4 is not a real calendar date/);
  });
});

describe('V7 quantities', () => {
  const cases: Array<[string, (p: Prescription) => void, string, RegExp]> = [
    [
      'box quantity 0',
      (p) => (drugOf(p).quantity = 0),
      '/lines/0/quantity',
      /^box quantity of drug line 1 is 0; it must be a whole number of at least 1$/,
    ],
    ['box quantity 1.5', (p) => (drugOf(p).quantity = 1.5), '/lines/0/quantity', /is 1.5; it must be a whole number/],
    [
      'renewals 12',
      (p) => (drugOf(p).renewals = 12),
      '/lines/0/renewals',
      /number of renewals of drug line 1 is 12; it must be a whole number from 0 to 11/,
    ],
    ['renewals -1', (p) => (drugOf(p).renewals = -1), '/lines/0/renewals', /from 0 to 11/],
    [
      'dose 0',
      (p) => (drugOf(p).posology.structured!.dosePerIntake = 0),
      '/lines/0/posology/structured/dosePerIntake',
      /a number greater than 0/,
    ],
    [
      '25 intakes a day',
      (p) => (drugOf(p).posology.structured!.intakesPerDay = 25),
      '/lines/0/posology/structured/intakesPerDay',
      /from 1 to 24/,
    ],
    [
      'treatment duration 0',
      (p) => (drugOf(p).posology.structured!.duration!.value = 0),
      '/lines/0/posology/structured/duration/value',
      /at least 1/,
    ],
    [
      'device quantity 0',
      (p) => (deviceOf(p).quantity = 0),
      '/lines/1/quantity',
      /^device quantity of device line 2 is 0/,
    ],
    ['device duration 0', (p) => (deviceOf(p).duration!.value = 0), '/lines/1/duration/value', /at least 1/],
    [
      'sessions 0',
      (p) => (nursingOf(p).sessions = 0),
      '/lines/3/sessions',
      /^number of sessions of nursing act line 4 is 0/,
    ],
    ['frequency 0', (p) => (nursingOf(p).frequency!.count = 0), '/lines/3/frequency/count', /at least 1/],
  ];
  for (const [name, change, path, message] of cases) {
    test(name, () => assert.match(onlyProblem(problemsAfter(change), 'V7', path).message, message));
  }

  test('a dose per intake of 0.5 is fine', () => {
    assert.deepEqual(
      problemsAfter((p) => (drugOf(p).posology.structured!.dosePerIntake = 0.5)),
      [],
    );
  });
});

describe('V8 non-substitution', () => {
  test('a non-substitutable drug without a reason: required, on the line, naming the reason field', () => {
    const problem = onlyProblem(
      problemsAfter((p) => delete drugOf(p).nonSubstitutionReason),
      'V8',
      '/lines/0',
    );
    assert.equal(problem.code, 'required');
    assert.deepEqual(problem.missing, ['/lines/0/nonSubstitutionReason']);
  });

  test('a blank reason counts as none; a text alone is enough', () => {
    onlyProblem(
      problemsAfter((p) => (drugOf(p).nonSubstitutionReason = { text: '   ' })),
      'V8',
      '/lines/0',
    );
    assert.deepEqual(
      problemsAfter((p) => (drugOf(p).nonSubstitutionReason = { text: 'allergie au lactose' })),
      [],
    );
  });

  test('a code must be MTE, EFG or CIF', () => {
    onlyProblem(
      problemsAfter((p) => (drugOf(p).nonSubstitutionReason = { code: 'XYZ' })),
      'V8',
      '/lines/0/nonSubstitutionReason',
    );
  });
});

describe('V9 lines', () => {
  test('no line', () => {
    assert.match(
      onlyProblem(
        problemsAfter((p) => (p.lines = [])),
        'V9',
        '/lines',
      ).message,
      /no line; at least 1 is required/,
    );
  });

  test('100 lines are fine, 101 are too many', () => {
    const withLines = (n: number) => (p: Prescription) =>
      (p.lines = Array.from({ length: n }, () => structuredClone(p.lines[2]!)));
    assert.deepEqual(problemsAfter(withLines(100)), []);
    assert.match(onlyProblem(problemsAfter(withLines(101)), 'V9', '/lines').message, /101 lines; at most 100/);
  });
});

describe('V10 required fields per line type', () => {
  const missing = (change: (p: Prescription) => void, owner: string, fields: string[], message: RegExp) => {
    const problem = onlyProblem(problemsAfter(change), 'V10', owner);
    assert.equal(problem.code, 'required');
    assert.deepEqual(problem.missing, fields);
    assert.match(problem.message, message);
  };

  test('drug: a product code, a label, a posology, a quantity', () => {
    missing(
      (p) => {
        delete drugOf(p).cip13;
        delete drugOf(p).cis;
      },
      '/lines/0',
      ['/lines/0/cip13', '/lines/0/cis'],
      /^drug line 1 has no product code \(CIP13 or CIS\)$/,
    );
    assert.deepEqual(
      problemsAfter((p) => delete drugOf(p).cip13),
      [],
      'CIS alone is enough',
    );
    missing((p) => (drugOf(p).label = ' '), '/lines/0', ['/lines/0/label'], /has no label/);
    missing(
      (p) => (drugOf(p).posology = {}),
      '/lines/0',
      ['/lines/0/posology/text', '/lines/0/posology/structured'],
      /has no posology/,
    );
    missing((p) => delete drugOf(p).quantity, '/lines/0', ['/lines/0/quantity'], /has no quantity/);
  });

  test('structured posology: dose per intake, unit, intakes per day', () => {
    const structured = (p: Prescription) => drugOf(p).posology.structured!;
    missing(
      (p) => delete structured(p).dosePerIntake,
      '/lines/0/posology/structured',
      ['/lines/0/posology/structured/dosePerIntake'],
      /no dose per intake/,
    );
    missing(
      (p) => (structured(p).unit = ''),
      '/lines/0/posology/structured',
      ['/lines/0/posology/structured/unit'],
      /no dose unit/,
    );
    missing(
      (p) => delete structured(p).intakesPerDay,
      '/lines/0/posology/structured',
      ['/lines/0/posology/structured/intakesPerDay'],
      /intakes per day/,
    );
  });

  test('device: a label and a quantity', () => {
    missing((p) => delete deviceOf(p).label, '/lines/1', ['/lines/1/label'], /^device line 2 has no label$/);
    missing((p) => delete deviceOf(p).quantity, '/lines/1', ['/lines/1/quantity'], /^device line 2 has no quantity$/);
  });

  test('biology: a NABM code and a label; other acts: a label and sessions', () => {
    missing((p) => delete biologyOf(p).code, '/lines/2', ['/lines/2/code'], /^biology act line 3 has no NABM code$/);
    missing((p) => delete biologyOf(p).label, '/lines/2', ['/lines/2/label'], /has no label/);
    missing(
      (p) => delete nursingOf(p).sessions,
      '/lines/3',
      ['/lines/3/sessions'],
      /^nursing act line 4 has no number of sessions$/,
    );
    assert.deepEqual(
      problemsAfter((p) => delete nursingOf(p).code),
      [],
      'the NGAP code is optional',
    );
  });
});

describe('V11 structure', () => {
  test('a numéro AM or a FINESS, or both', () => {
    assert.deepEqual(
      problemsAfter((p) => (p.organization = { name: 'X', finess: '2A0001234' })),
      [],
    );
    assert.deepEqual(
      problemsAfter((p) => (p.organization.finess = '750000001')),
      [],
    );
    const problem = onlyProblem(
      problemsAfter((p) => delete p.organization.amNumber),
      'V11',
      '/organization',
    );
    assert.deepEqual(problem.missing, ['/organization/amNumber', '/organization/finess']);
  });

  test('their shapes', () => {
    onlyProblem(
      problemsAfter((p) => (p.organization.amNumber = '99100069')),
      'V11',
      '/organization/amNumber',
    );
    onlyProblem(
      problemsAfter((p) => (p.organization.finess = '2C0001234')),
      'V11',
      '/organization/finess',
    );
  });
});

test('several problems are reported at once', () => {
  const problems = problemsAfter((p) => {
    p.patient.ins.value = '277077599910134';
    p.prescriber.rpps = '99900023139';
    drugOf(p).quantity = 0;
    delete p.organization.amNumber;
  });
  assert.deepEqual(
    problems.map((p) => p.rule),
    ['V3', 'V4', 'V7', 'V11'],
  );
});

describe('toVendorPaths', () => {
  const fixture = (format: VendorFormat, file: string) => readFileSync(join(vendorExamplesDir(format), file));

  test('epu-json: paths become JSON pointers, absent fields are named by their member', () => {
    const { prescription, sourceMap } = mapped(epuJson.parse(fixture('epu-json', 'valid-drugs-only.json')));
    prescription.patient.ins.value = '277077599910134';
    delete (prescription.lines[1] as DrugLine).cip13;
    delete (prescription.lines[1] as DrugLine).cis;
    delete prescription.organization.amNumber;
    const problems = toVendorPaths(checkPrescriptionRules(prescription, NOW), sourceMap);
    assert.deepEqual(
      problems.map((p) => [p.rule, p.path, p.message]),
      [
        ['V3', '/patient/ins/valeur', 'INS key is 34 but the NIR body 2770775999101 gives 33 (97 − body mod 97)'],
        ['V10', '/lignes/1', 'drug line 2 has no product code (CIP13 or CIS): /lignes/1 has no codeCIP13 or codeCIS'],
        [
          'V11',
          '/prescripteur/structure',
          "the prescriber's structure has neither a numéro AM nor a FINESS number; at least one is required: /prescripteur/structure has no numeroAM or finess",
        ],
      ],
    );
    assert.ok(
      problems.every((p) => !('missing' in p)),
      'the canonical-only field does not leak',
    );
  });

  test('lgc-xml: paths become XPaths; a field the format lacks (CIP13) is not named', async () => {
    const { prescription, sourceMap } = mapped(
      await mapWithSchema(lgcXml, fixture('lgc-xml', 'valid-mixed-drugs-device-nursing.xml')),
    );
    delete (prescription.lines[1] as DrugLine).cis;
    (prescription.lines[0] as DrugLine).nonSubstitutable = true;
    (prescription.lines[3] as DeviceLine).quantity = 0;
    delete (prescription.lines[4] as ActLine).sessions;
    prescription.patient.birthDate = '2030-01-01';
    const problems = toVendorPaths(checkPrescriptionRules(prescription, NOW), sourceMap);
    assert.deepEqual(
      problems.map((p) => [p.rule, p.path, p.message]),
      [
        [
          'V6',
          '/Prescription/Patient/BirthDate',
          'birth date 2030-01-01 is in the future (today is 2026-11-26 in Europe/Paris)',
        ],
        [
          'V7',
          '/Prescription/Items/Item[4]/Quantity',
          'device quantity of device line 4 is 0; it must be a whole number of at least 1',
        ],
        [
          'V8',
          '/Prescription/Items/Item[1]',
          'drug line 1 is non-substitutable but gives no reason (MTE, EFG or CIF): /Prescription/Items/Item[1] has no NonSubstitutable/@reason',
        ],
        [
          'V10',
          '/Prescription/Items/Item[2]',
          'drug line 2 has no product code (CIP13 or CIS): /Prescription/Items/Item[2] has no CIS',
        ],
        [
          'V10',
          '/Prescription/Items/Item[5]',
          'nursing act line 5 has no number of sessions: /Prescription/Items/Item[5] has no Sessions',
        ],
      ],
    );
  });

  test('a canonical path without its own entry falls back to the nearest mapped ancestor', () => {
    const sourceMap = { '/lines/0': '/lignes/0', '/lines/0/posology': '/lignes/0/posologie' };
    const [problem] = toVendorPaths(
      [{ rule: 'V7', code: 'value', path: '/lines/0/posology/structured/dosePerIntake', message: 'm' }],
      sourceMap,
    );
    assert.equal(problem!.path, '/lignes/0/posologie');
  });

  test('a problem without a path stays without one; other members are kept', () => {
    assert.deepEqual(toVendorPaths([{ code: 'business-rule', message: 'whole payload', severity: 'warning' }], {}), [
      { code: 'business-rule', message: 'whole payload', severity: 'warning' },
    ]);
  });
});
