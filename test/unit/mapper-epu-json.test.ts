import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActLine, DrugLine } from '../../domain/prescription';
import type { Problem } from '../../domain/problem';
import { mapper } from '../../mappers/epu-json';
import { MAX_REPORTED_PROBLEMS, limitProblems } from '../../mappers/shared/problem-limit';
import { readJson } from '../../mappers/shared/json-reader';
import type { MapResult } from '../../mappers/mapper';
import { checkPrescriptionRules } from '../../rules/intake';
import { mixedAld } from '../fixtures/canonical';
import { mapped, rejected, rulesProblems } from '../support/map-result';
import { act, counts, device, drug } from '../support/prescription-lines';
import { vendorExamplesDir } from '../support/vendor-fixtures';

const EXAMPLES = vendorExamplesDir('epu-json');
const NOW = new Date('2026-11-26T12:00:00Z');

const fixtureText = (name: string): string => readFileSync(join(EXAMPLES, name), 'utf8');
const fixtureJson = (name: string): Record<string, any> => JSON.parse(fixtureText(name));
const parseJson = (payload: unknown): MapResult => mapper.parse(Buffer.from(JSON.stringify(payload)));

describe('epu-json: valid examples', () => {
  const expected: Record<string, [number, number, number]> = {
    'valid-drugs-only.json': [3, 0, 0],
    'valid-mixed-drugs-device-nursing.json': [2, 2, 2],
    'valid-biology-only.json': [0, 0, 5],
    'valid-locum-corsica-paramedical.json': [1, 1, 4],
  };
  for (const [file, lineCounts] of Object.entries(expected)) {
    test(`${file} maps to ${lineCounts.join('/')} requests and passes every rule`, () => {
      const { prescription } = mapped(mapper.parse(readFileSync(join(EXAMPLES, file))));
      assert.deepEqual(counts(prescription), lineCounts);
      assert.equal(prescription.sourceFormat, 'epu-json');
      assert.deepEqual(checkPrescriptionRules(prescription, NOW), []);
    });
  }

  test('drugs-only: identity, dates, renewals, non-substitution, posology', () => {
    const { prescription: p } = mapped(mapper.parse(Buffer.from(fixtureText('valid-drugs-only.json'))));
    assert.equal(p.messageId, 'b2f3d31d-4763-45e5-848f-6f41a450dd59');
    assert.equal(p.number, 'V7URKP6HIGBLGWADMD');
    assert.equal(p.authoredOn, '2026-10-14T09:32:00+02:00');
    assert.equal(p.priority, 'routine');
    assert.deepEqual(p.patient.ins, { value: '277077599910133', oid: '1.2.250.1.213.1.4.10' });
    assert.equal(p.patient.gender, 'female');
    assert.equal(p.patient.birthDate, '1977-07-14');
    assert.equal(p.prescriber.rpps, '99900023138');
    assert.equal(p.prescriber.specialty, 'Médecine générale');
    assert.equal(p.organization.amNumber, '991000696');
    assert.deepEqual(p.organization.address, { lines: ["12 rue de l'Exemple"], postalCode: '75011', city: 'Paris' });
    assert.equal(p.replacedPrescriber, undefined);
    assert.deepEqual(
      p.lines.map((l) => (l as DrugLine).renewals),
      [1, 5, 0],
    );
    assert.deepEqual(drug(p, 0).nonSubstitutionReason, { code: 'MTE', text: 'Marge thérapeutique étroite' });
    assert.equal(drug(p, 0).nonSubstitutable, true);
    assert.equal(drug(p, 1).nonSubstitutable, false);
    assert.equal(drug(p, 1).nonSubstitutionReason, undefined);
    assert.equal(drug(p, 0).cip13, '3400930065785');
    assert.equal(drug(p, 0).cis, '62080626');
    assert.deepEqual(drug(p, 0).posology.structured, {
      dosePerIntake: 1,
      unit: 'comprimé',
      intakesPerDay: 1,
      duration: { value: 3, unit: 'mo' },
    });
    assert.equal(drug(p, 2).posology.structured, undefined);
    assert.match(drug(p, 2).posology.text ?? '', /^1 comprimé jusqu'à 3 fois par jour/);
    assert.deepEqual(
      p.lines.map((l) => (l as DrugLine).quantity),
      [3, 1, 2],
    );
  });

  test('mixed: ALD, devices, nursing at home with a frequency and start dates', () => {
    const { prescription: p } = mapped(mapper.parse(Buffer.from(fixtureText('valid-mixed-drugs-device-nursing.json'))));
    assert.equal(p.authoredOn, '2026-10-20T16:05:00+02:00');
    assert.deepEqual(p.context, { ald: true, nonReimbursable: false, prevention: false });
    assert.equal(p.patient.gender, 'male');
    // The canonical mixed-ALD fixture is this example as the mapper reads it.
    assert.deepEqual(device(p, 2), mixedAld.prescription.lines[2]);
    assert.equal(device(p, 3).quantity, 2);
    assert.deepEqual(act(p, 4), mixedAld.prescription.lines[4]);
    assert.equal(act(p, 5).atHome, true);
    assert.equal(act(p, 5).frequency, undefined);
  });

  test('biology: NABM codes in order, no sessions', () => {
    const { prescription: p } = mapped(mapper.parse(Buffer.from(fixtureText('valid-biology-only.json'))));
    assert.deepEqual(
      p.lines.map((l) => (l as ActLine).code),
      ['1104', '0552', '0996', '0592', '1610'],
    );
    assert.ok(
      p.lines.every(
        (l) => l.kind === 'act' && l.actType === 'acteBiologieMedicale' && l.sessions === undefined && !l.atHome,
      ),
    );
    assert.equal(p.patient.ins.oid, '1.2.250.1.213.1.4.11');
  });

  test('locum, Corsican NIA, FINESS only, urgent, context flags and every paramedical type', () => {
    const { prescription: p } = mapped(mapper.parse(Buffer.from(fixtureText('valid-locum-corsica-paramedical.json'))));
    assert.equal(p.priority, 'urgent');
    assert.equal(p.number, undefined);
    assert.deepEqual(p.replacedPrescriber, { rpps: '99900023138', family: 'FICTIF', given: 'Alain' });
    assert.equal(p.prescriber.rpps, '99900007487');
    assert.deepEqual(p.patient.ins, { value: '222052A99912315', oid: '1.2.250.1.213.1.4.9' });
    assert.equal(p.organization.finess, '2A0001234');
    assert.equal(p.organization.amNumber, undefined);
    assert.equal(p.organization.phone, undefined);
    assert.deepEqual(p.consent, { informedOn: '2026-11-05', dispensingViewOptOut: true, dmpOptOut: true });
    assert.deepEqual(p.context, {
      ald: false,
      workAccidentDate: '2026-11-02',
      nonReimbursable: true,
      prevention: true,
    });
    assert.deepEqual(drug(p, 0).nonSubstitutionReason, {
      code: 'EFG',
      text: 'Enfant de moins de 6 ans, pas de générique de forme adaptée',
    });
    assert.equal(drug(p, 0).offLabel, true);
    assert.equal(drug(p, 0).renewals, 0, 'renouvellements defaults to 0');
    assert.equal(drug(p, 0).posology.text, undefined);
    assert.deepEqual(drug(p, 0).posology.structured?.duration, { value: 5, unit: 'd' });
    assert.deepEqual(device(p, 1).duration, { value: 3, unit: 'wk' });
    assert.deepEqual(
      p.lines.slice(2).map((l) => (l as ActLine).actType),
      ['acteKinesitherapie', 'acteOrthophonie', 'acteOrthoptie', 'actePedicurie'],
    );
    assert.deepEqual(act(p, 2).frequency, { count: 2, periodUnit: 'wk' });
    assert.deepEqual(act(p, 4).frequency, { count: 1, periodUnit: 'mo' });
    assert.equal(act(p, 3).code, undefined);
  });

  test('sexe I maps to gender other; CIF carries its meaning', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    payload.patient.sexe = 'I';
    payload.lignes[0].motifNonSubstitution = 'CIF';
    const { prescription: p } = mapped(parseJson(payload));
    assert.equal(p.patient.gender, 'other');
    assert.deepEqual(drug(p, 0).nonSubstitutionReason, {
      code: 'CIF',
      text: 'Contre-indication formelle à un excipient à effet notoire',
    });
  });
});

describe('epu-json: source map', () => {
  test('canonical pointers lead to the epu-json members, including fields the payload did not send', () => {
    const { sourceMap } = mapped(mapper.parse(Buffer.from(fixtureText('valid-mixed-drugs-device-nursing.json'))));
    assert.equal(sourceMap['/lines/2/quantity'], '/lignes/2/quantite');
    assert.equal(
      sourceMap['/lines/0/posology/structured/intakesPerDay'],
      '/lignes/0/posologie/structuree/prisesParJour',
    );
    assert.equal(sourceMap['/lines/4/frequency/periodUnit'], '/lignes/4/frequence/periode');
    assert.equal(sourceMap['/patient/ins/value'], '/patient/ins/valeur');
    assert.equal(sourceMap['/context/workAccidentDate'], '/contexte/accidentTravail/date');
    assert.equal(sourceMap['/organization/finess'], '/prescripteur/structure/finess', 'absent but named');
    assert.equal(sourceMap['/organization/address/lines/0'], '/prescripteur/structure/adresse/lignes/0');
    assert.equal(sourceMap['/lines/6'], undefined, 'no such line');
    assert.equal(sourceMap['/lines/2/sessions'], undefined, 'a device line has no sessions');
    assert.equal('/lines/3/lpp' in sourceMap, true);
  });

  test('behaves as a plain record: keys, spread, JSON and writes', () => {
    const { sourceMap } = mapped(mapper.parse(Buffer.from(fixtureText('valid-biology-only.json'))));
    const copy = { ...sourceMap };
    assert.equal(copy['/lines/4/code'], '/lignes/4/code');
    assert.ok(Object.keys(sourceMap).includes('/lines/0/label'));
    assert.equal(JSON.parse(JSON.stringify(sourceMap))['/authoredOn'], '/dateRedaction');
    sourceMap['/custom'] = '/x';
    assert.equal(sourceMap['/custom'], '/x');
  });
});

describe('epu-json: invalid examples are rejected with the vendor field named', () => {
  test('invalid-nir-key: rules V3 on /patient/ins/valeur', () => {
    const problems = rulesProblems(mapper.parse(Buffer.from(fixtureText('invalid-nir-key.json'))), NOW);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.rule, 'V3');
    assert.equal(problems[0]!.path, '/patient/ins/valeur');
    assert.match(problems[0]!.message, /INS key is 34 but the NIR body 2770775999101 gives 33/);
  });

  test('invalid-missing-lines: schema, V9 on /lignes', () => {
    const problems = rejected(mapper.parse(Buffer.from(fixtureText('invalid-missing-lines.json'))), 'invalid');
    assert.deepEqual(
      problems.map((p) => [p.rule, p.path, p.code]),
      [['V9', '/lignes', 'required']],
    );
  });

  test('invalid-non-substitutable-without-reason: schema, V8 on the missing motifNonSubstitution', () => {
    const problems = rejected(
      mapper.parse(Buffer.from(fixtureText('invalid-non-substitutable-without-reason.json'))),
      'invalid',
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.rule, 'V8');
    assert.equal(problems[0]!.path, '/lignes/0/motifNonSubstitution');
    assert.match(problems[0]!.message, /required when 'nonSubstituable' is true/);
  });

  test('invalid-quantity-as-string: a number sent as a string is an error', () => {
    const problems = rejected(mapper.parse(Buffer.from(fixtureText('invalid-quantity-as-string.json'))), 'invalid');
    assert.deepEqual(problems, [
      {
        code: 'structure',
        rule: 'V2',
        path: '/lignes/0/quantite',
        message: "member 'quantite' must be an integer, got a string",
      },
    ]);
  });

  test('invalid-unknown-member: the unknown member itself is the path', () => {
    const problems = rejected(mapper.parse(Buffer.from(fixtureText('invalid-unknown-member.json'))), 'invalid');
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.path, '/patient/telephone');
    assert.equal(problems[0]!.message, "unknown member 'telephone' (the format allows no other members here)");
  });
});

describe('epu-json: schema problems', () => {
  test('a faulty line is judged against its own type only, not every oneOf branch', () => {
    const payload = fixtureJson('valid-mixed-drugs-device-nursing.json');
    payload.lignes[2].dateDebut = '2026-12-01'; // a device has no dateDebut
    payload.lignes[0].quantite = 0;
    const problems = rejected(parseJson(payload), 'invalid');
    assert.deepEqual(
      problems.map((p) => [p.path, p.rule, p.message]),
      [
        ['/lignes/0/quantite', 'V7', "member 'quantite' must be at least 1, got 0"],
        ['/lignes/2/dateDebut', 'V2', "unknown member 'dateDebut' (the format allows no other members here)"],
      ],
    );
  });

  test('every problem is reported at once, each with its own path', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    payload.urgent = 'true';
    payload.patient.sexe = 'X';
    delete payload.prescripteur.nom;
    payload.lignes[1].foo = 1;
    const problems = rejected(parseJson(payload), 'invalid');
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    assert.equal(byPath.get('/urgent'), "member 'urgent' must be a boolean (true or false), got a string");
    assert.equal(byPath.get('/patient/sexe'), 'member \'sexe\' must be one of "M", "F", "I", got "X"');
    assert.equal(byPath.get('/prescripteur/nom'), "member 'nom' is required here");
    assert.equal(byPath.get('/lignes/1/foo'), "unknown member 'foo' (the format allows no other members here)");
    assert.equal(problems.length, 4);
  });

  test('control characters and lone surrogates are refused at their member, wherever it is', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    payload.patient.nom = 'DUP\u0000ONT';
    payload.prescripteur.structure.nom = 'Cabinet \u001b[31m';
    payload.lignes[1].libelle = 'DOLIPRANE \uDC00';
    payload.lignes[0].posologie.texte = '1 cp\tmatin\r\nsoir 😀'; // tab, CR, LF and a surrogate pair are fine
    const problems = rejected(parseJson(payload), 'invalid');
    assert.deepEqual(
      problems.map((p) => [p.path, p.rule, p.message]),
      [
        [
          '/prescripteur/structure/nom',
          'V2',
          'control character U+001B at character 9: texts allow no control character but tab, carriage return and line feed',
        ],
        [
          '/patient/nom',
          'V2',
          'control character U+0000 at character 4: texts allow no control character but tab, carriage return and line feed',
        ],
        ['/lignes/1/libelle', 'V2', 'lone UTF-16 surrogate \\uDC00 at character 11: it is not a Unicode character'],
      ],
    );
  });

  test('a forbidden character and a schema fault are reported together', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    payload.patient.prenom = 'A\u0007';
    payload.patient.nom = null;
    assert.deepEqual(
      rejected(parseJson(payload), 'invalid').map((p) => p.path),
      ['/patient/nom', '/patient/prenom'],
    );
  });

  test('a drug without CIP13 nor CIS: one V10 problem on the line naming both members', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    delete payload.lignes[1].codeCIP13;
    delete payload.lignes[1].codeCIS;
    const problems = rejected(parseJson(payload), 'invalid');
    assert.deepEqual(problems, [
      {
        code: 'required',
        rule: 'V10',
        path: '/lignes/1',
        message: "'lignes[1]' needs at least one of 'codeCIP13' or 'codeCIS'",
      },
    ]);
  });

  test('a structure without numeroAM nor finess: V11', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    delete payload.prescripteur.structure.numeroAM;
    const [problem, ...rest] = rejected(parseJson(payload), 'invalid');
    assert.equal(rest.length, 0);
    assert.equal(problem!.rule, 'V11');
    assert.equal(problem!.path, '/prescripteur/structure');
    assert.match(problem!.message, /'numeroAM' or 'finess'/);
  });

  test('an unknown line type, a missing type and a line that is not an object', () => {
    const payload = fixtureJson('valid-biology-only.json');
    payload.lignes[0].type = 'acteDentaire';
    delete payload.lignes[1].type;
    payload.lignes[2] = 'NFS';
    const problems = rejected(parseJson(payload), 'invalid');
    assert.deepEqual(
      problems.map((p) => [p.path, p.code]),
      [
        ['/lignes/0/type', 'value'],
        ['/lignes/1/type', 'required'],
        ['/lignes/2', 'structure'],
      ],
    );
    assert.match(problems[0]!.message, /must be one of medicament, .* got "acteDentaire"/);
  });

  test('31 February is not a date (V6), a malformed INS is V3, a bad RPPS shape is V4', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    payload.patient.dateNaissance = '2026-02-31';
    payload.patient.ins.valeur = '27707759991013';
    payload.prescripteur.rpps = '29900023138';
    const problems = rejected(parseJson(payload), 'invalid');
    assert.deepEqual(
      problems.map((p) => [p.path, p.rule]),
      [
        ['/prescripteur/rpps', 'V4'],
        ['/patient/dateNaissance', 'V6'],
        ['/patient/ins/valeur', 'V3'],
      ],
    );
    assert.match(problems[1]!.message, /real calendar date YYYY-MM-DD, got "2026-02-31"/);
  });

  test('an empty posology says what to give', () => {
    const payload = fixtureJson('valid-drugs-only.json');
    payload.lignes[2].posologie = {};
    const problems = rejected(parseJson(payload), 'invalid');
    assert.deepEqual(
      problems.map((p) => [p.path, p.rule, p.message]),
      [['/lignes/2/posologie', 'V10', "member 'posologie' must not be empty (give 'texte', 'structuree' or both)"]],
    );
  });

  test('100 lines are accepted, 101 are rejected (V9)', () => {
    const payload = fixtureJson('valid-biology-only.json');
    payload.lignes = Array.from({ length: 100 }, (_, i) => ({ ...payload.lignes[i % 5] }));
    assert.equal(mapped(parseJson(payload)).prescription.lines.length, 100);
    payload.lignes.push({ ...payload.lignes[0] });
    const problems = rejected(parseJson(payload), 'invalid');
    assert.deepEqual(
      problems.map((p) => [p.path, p.rule]),
      [['/lignes', 'V9']],
    );
    assert.match(problems[0]!.message, /at most 100 items, got 101/);
  });
});

describe('epu-json: malformed bodies', () => {
  test('a syntax error says where it is (line and column)', () => {
    const text = fixtureText('valid-drugs-only.json').replace('"nom": "ESSAI",', '"nom": "ESSAI"');
    const [problem] = rejected(mapper.parse(Buffer.from(text)), 'malformed');
    assert.equal(problem!.code, 'structure');
    assert.match(problem!.message, /^malformed JSON at line 26, column 5: found '"', expected ',' or '}'$/);
  });

  test('syntax errors V8 reports without a position still get one', () => {
    for (const [text, expected] of [
      ['{"a": tru}', /line 1, column 7: found 't', expected a value/],
      ['{"a": 1,}', /line 1, column 9: found '}', expected a member name in double quotes/],
      ['{"a": "x\n"}', /line 1, column 9: found control character U\+000A/],
      ['', /line 1, column 1: found end of input/],
      ['{"a": 1} x', /line 1, column 10: found 'x', expected nothing after the end of the JSON value/],
      ['[1, 2', /line 1, column 6: found end of input, expected ',' or '\]'/],
    ] as const) {
      const [problem] = rejected(mapper.parse(Buffer.from(text)), 'malformed');
      assert.match(problem!.message, expected, JSON.stringify(text));
    }
  });

  test('invalid UTF-8 is malformed, with the byte offset', () => {
    const body = Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const [problem] = rejected(mapper.parse(body), 'malformed');
    assert.match(problem!.message, /not valid UTF-8 .* byte offset 7/);
  });

  test('nesting: 32 levels is structure-checked, 33 is malformed', () => {
    const nested = (levels: number): string => '{"x":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
    const at32 = rejected(mapper.parse(Buffer.from(nested(32))), 'invalid');
    assert.ok(at32.length > 0);
    const [problem] = rejected(mapper.parse(Buffer.from(nested(33))), 'malformed');
    assert.match(problem!.message, /deeper than 32 levels/);
    assert.equal(problem!.path, '/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x');
  });

  test('a very deep array is refused as malformed, not by crashing', () => {
    const [problem] = rejected(mapper.parse(Buffer.from('['.repeat(100_000) + ']'.repeat(100_000))), 'malformed');
    assert.match(problem!.message, /deeper than 32/);
  });
});

describe('epu-json: hostile bodies are refused with a readable report (their cost is measured by npm run bench:hostile)', () => {
  test('thousands of empty lines: only the first 100 are judged', () => {
    // 512 KiB of "{}" lines: judging every line against every oneOf branch took minutes.
    const lines = Array.from({ length: 170_000 }, () => '{}').join(',');
    const problems: Problem[] = rejected(mapper.parse(Buffer.from(`{"lignes":[${lines}]}`)), 'invalid');
    const tooMany = problems.find((p) => p.path === '/lignes');
    assert.equal(tooMany?.rule, 'V9');
    assert.match(tooMany?.message ?? '', /at most 100 items, got 170000/);
    const linePaths = problems.filter((p) => p.path?.startsWith('/lignes/')).map((p) => p.path);
    assert.ok(
      linePaths.length > 0 && linePaths.every((path) => Number(path!.split('/')[2]) < 100),
      'lines past 100 are not judged',
    );
  });

  test('thousands of unknown members: 100 problems are listed, then how many were left out', () => {
    const members = Array.from({ length: 5000 }, (_, i) => `"extra${i}": 1`).join(',');
    const payload = fixtureText('valid-drugs-only.json').replace('{', `{${members},`);
    const problems = rejected(mapper.parse(Buffer.from(payload)), 'invalid');
    assert.equal(problems.length, MAX_REPORTED_PROBLEMS + 1);
    assert.equal(problems[0]!.message, "unknown member 'extra0' (the format allows no other members here)");
    const summary = problems[MAX_REPORTED_PROBLEMS]!;
    assert.deepEqual([summary.code, summary.severity, summary.path], ['too-costly', 'warning', undefined]);
    assert.match(summary.message, /^4900 more problems not listed/);
  });
});

describe('mappers/shared: readJson and limitProblems', () => {
  test('readJson gives the value, or a malformed MapFailure', () => {
    assert.deepEqual(readJson(Buffer.from('{"a":[1,"é"]}')), { ok: true, value: { a: [1, 'é'] } });
    const failure = readJson(Buffer.from('{"a":'));
    assert.equal(failure.ok, false);
    if (failure.ok) return;
    assert.equal(failure.kind, 'malformed');
    assert.match(failure.problems[0]!.message, /line 1, column 6: found end of input/);
    assert.equal(failure.problems[0]!.rule, 'V1');
  });

  test('limitProblems keeps short lists as they are', () => {
    const few: Problem[] = [{ code: 'value', message: 'one' }];
    assert.equal(limitProblems(few), few);
    const many: Problem[] = Array.from({ length: 4 }, (_, i) => ({ code: 'value', message: `p${i}` }));
    assert.deepEqual(
      limitProblems(many, 3).map((p) => p.message),
      ['p0', 'p1', 'p2', '1 more problem not listed: fix the 3 above and send the payload again'],
    );
  });
});
