/**
 * The rule codes (domain/rule-codes.ts) and the CodeSystem the gateway publishes
 * (profiles/code-systems/rules.json): the same codes and displays; every code the code base uses is
 * in it and every code in it is used; every OperationOutcome issue of a coded problem carries it in
 * `details.coding`; the README lists them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RULE_CODES, RULE_DISPLAYS, RULES_CODE_SYSTEM, type RuleCode } from '../../domain/rule-codes';
import { ProblemError, toOperationOutcome } from '../../domain/problem';
import type { PrescriptionLine } from '../../domain/prescription';
import type { Principal } from '../../domain/principal';
import { authorize, decideRoute } from '../../rules/access/policy';
import { CODE_SYSTEMS, OPERATION_DEFINITIONS } from '../../store/conformance';
import { conformanceCatalogOf } from '../../gateway/conformance/catalog';
import { authorizerFor, ForbiddenError } from '../../usecases/caller';
import { CANONICAL_BASE } from '../../fhir/systems';

const ROOT = path.join(__dirname, '..', '..');
/** The production code (what `npm run build` compiles, tsconfig.build.json): where problems are raised. */
const PRODUCTION = (
  JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }
).include.filter((entry) => !entry.endsWith('.ts'));
const RULE_LITERAL = /'([VFNMAD]\d{1,2}|intake)'/g;

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return tsFilesUnder(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

/** Every rule-code literal of the production code but the table itself, with where it is. */
function codesUsed(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of PRODUCTION.flatMap((dir) => tsFilesUnder(path.join(ROOT, dir)))) {
    const relative = path.relative(ROOT, file);
    if (relative === path.join('domain', 'rule-codes.ts')) continue;
    for (const [, code] of readFileSync(file, 'utf8').matchAll(RULE_LITERAL)) {
      used.set(code!, [...(used.get(code!) ?? []), relative]);
    }
  }
  return used;
}

const rules = CODE_SYSTEMS.find((cs) => cs.id === 'rules')!;

describe('the rules CodeSystem', () => {
  test('is published under the canonical base, complete, one concept per code with its display and definition', () => {
    assert.ok(rules, 'profiles/code-systems has a CodeSystem with id rules');
    assert.equal(rules.url, `${CANONICAL_BASE}/CodeSystem/rules`);
    assert.equal(rules.url, RULES_CODE_SYSTEM);
    assert.equal(rules.content, 'complete');
    assert.equal(rules.status, 'active');
    assert.equal(rules.count, rules.concept?.length);
    assert.deepEqual(
      rules.concept?.map((c) => [c.code, c.display]),
      RULE_CODES.map((code) => [code, RULE_DISPLAYS[code]]),
    );
    for (const concept of rules.concept ?? []) assert.ok((concept.definition ?? '').length > 40, concept.code);
  });

  test('every rule code used in the code base is in it, and every code in it is used', () => {
    const used = codesUsed();
    const published = new Set((rules.concept ?? []).map((c) => c.code));
    const unknown = [...used].filter(([code]) => !published.has(code));
    assert.deepEqual(unknown, [], 'codes used but not in the CodeSystem');
    const unused = [...published].filter((code) => !used.has(code));
    assert.deepEqual(unused, [], 'codes in the CodeSystem that nothing uses');
  });

  test('is served with the dry run’s OperationDefinition at /fhir/<Type>', async () => {
    // No store to expand the StructureDefinitions: the catalog as written.
    const noStore = { request: () => Promise.reject(new Error('no FHIR store in a unit test')) };
    const catalog = await conformanceCatalogOf(noStore, '2026-12-01T00:00:00Z')();
    assert.ok(catalog.CodeSystem.includes(rules));
    const validate = OPERATION_DEFINITIONS.find((od) => od.id === 'prescription-validate');
    assert.ok(validate);
    assert.ok(catalog.OperationDefinition.includes(validate));
    assert.equal(validate.url, `${CANONICAL_BASE}/OperationDefinition/prescription-validate`);
    assert.equal(validate.affectsState, false);
    assert.deepEqual(
      validate.parameter?.filter((p) => p.use === 'out').map((p) => [p.name, p.type, p.min, p.max]),
      [
        ['outcome', 'OperationOutcome', 1, '1'],
        ['return', 'Bundle', 0, '1'],
      ],
    );
  });

  test('the README lists every code with its display', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const code of RULE_CODES) {
      const row = new RegExp(
        `^\\| \`${code}\` \\| ${RULE_DISPLAYS[code].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`,
        'm',
      );
      assert.match(readme, row, code);
    }
  });
});

describe('issues name their rule in details.coding', () => {
  test('a coded problem: system, code, display and text; the contract rules keep their prefix in diagnostics', () => {
    const outcome = toOperationOutcome([
      { code: 'value', rule: 'V5', path: '/lignes/0/codeCIP13', message: 'bad check digit' },
      { code: 'forbidden', rule: 'A3', path: '/lignes/1', message: 'a nurse may not prescribe this' },
      { code: 'transient', message: 'the FHIR store is unavailable' },
    ]);
    const [v5, a3, uncoded] = outcome.issue;
    assert.deepEqual(v5!.details, {
      coding: [{ system: RULES_CODE_SYSTEM, code: 'V5', display: 'Product and act codes' }],
      text: 'Product and act codes',
    });
    assert.equal(v5!.diagnostics, 'V5: bad check digit');
    assert.deepEqual(v5!.expression, ['/lignes/0/codeCIP13']);
    assert.equal(a3!.details?.coding?.[0]?.code, 'A3');
    assert.equal(a3!.diagnostics, 'a nurse may not prescribe this');
    assert.equal(uncoded!.details, undefined);
  });

  test('access refusals carry their rule: route grants A1, signer A2, scope A3, reads A4–A7, execution A8', () => {
    const nurse: Principal = {
      nationalId: '899900000110',
      rpps: '99900000110',
      profession: 'nurse',
      organization: {},
      role: 'prescriber',
      subject: 's',
    };
    const pharmacist: Principal = { ...nurse, profession: 'pharmacist', role: 'dispenser' };
    const owner = { prescriberRpps: '99900000128' };
    const ruleOf = (decision: ReturnType<typeof decideRoute>): RuleCode | undefined =>
      decision.allowed ? undefined : decision.rule;
    assert.equal(ruleOf(decideRoute({ auditor: 'any' }, nurse)), 'A1');
    assert.equal(
      ruleOf(authorize.createPrescription(nurse, { prescriber: { rpps: '99900000128', family: 'X', given: 'Y' } })),
      'A2',
    );
    assert.equal(ruleOf(authorize.readPrescription(nurse, owner)), 'A4');
    assert.equal(ruleOf(authorize.readDispenses(nurse, owner, false)), 'A5');
    assert.equal(ruleOf(authorize.cancelPrescription(nurse, owner)), 'A6');
    assert.equal(ruleOf(authorize.recordConsent(nurse, owner)), 'A7');
    assert.equal(ruleOf(authorize.recordExecution(pharmacist, 'acteInfirmier')), 'A8');

    const authorizer = authorizerFor(nurse);
    assert.throws(
      () => authorizer.cancelPrescription(owner),
      (e: unknown) => e instanceof ForbiddenError && e.problems[0]!.rule === 'A6',
    );
    // Only what the scope reads of a line: its kind and product codes.
    const levothyrox = { kind: 'drug', label: 'LEVOTHYROX', cip13: '3400930065785' } as unknown as PrescriptionLine;
    assert.throws(
      () => authorizer.prescribeLines({ lines: [levothyrox] }, { '/lines/0': '/lignes/0' }),
      (e: unknown) => e instanceof ProblemError && e.problems.every((p) => p.rule === 'A3' && p.path === '/lignes/0'),
    );
  });
});
