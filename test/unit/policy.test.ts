/**
 * The authorization rules, checked against tables written here independently of
 * rules/access/policy.ts: a change to the policy that is not also made here fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorize, decideRoute } from '../../rules/access/policy';
import type { LineKind } from '../../domain/professions';
import { matchRoute, ROUTES } from '../../gateway/routes/table';
import type { RouteDefinition } from '../../gateway/routes/route';
import { type Principal, type Role } from '../../domain/principal';
import { PROFESSIONS, type Profession } from '../../domain/professions';
import { principalFromClaims } from '../../gateway/security/claims';
import { DEFAULT_BIOLOGY_SAVOIR_FAIRE, DEFAULT_CLAIMS } from '../../gateway/security/config';
import { pscClaims } from '../../dev/token-issuer';
import { EXPECTED_ROUTE_ACCESS, expectedAllowed } from '../support/expected-access';

const ALL: readonly Profession[] = PROFESSIONS;
const ROUTE_TABLE: readonly RouteDefinition[] = ROUTES;

const principal = (role: Role, profession?: Profession, rpps = '99900000110'): Principal => ({
  nationalId: `8${rpps}`,
  rpps,
  ...(profession ? { profession } : {}),
  organization: {},
  role,
  subject: 'test',
});

/** Every principal kind: each role with each profession, and auditor/operator without one. */
const PRINCIPALS: Principal[] = [
  ...(['prescriber', 'dispenser', 'auditor', 'operator'] as const).flatMap((role) =>
    ALL.map((p) => principal(role, p)),
  ),
  principal('auditor'),
  principal('operator'),
];

describe('route table', () => {
  it('names exactly the routes of the expected table (plus the public health, documentation, metadata and conformance routes)', () => {
    const guarded = ROUTE_TABLE.filter((r) => !('public' in r && r.public))
      .map((r) => r.id)
      .sort();
    assert.deepEqual(guarded, Object.keys(EXPECTED_ROUTE_ACCESS).sort());
    assert.deepEqual(
      ROUTE_TABLE.filter((r) => 'public' in r && r.public)
        .map((r) => r.path)
        .sort(),
      [
        '/audit/fhir/metadata',
        '/console/*',
        '/console/auth/callback',
        '/console/auth/login',
        '/console/auth/logout',
        '/docs',
        '/docs/:asset',
        '/fhir/:type',
        '/fhir/:type/:id',
        '/fhir/metadata',
        '/health',
        '/openapi.json',
        '/ready',
      ],
    );
  });

  for (const rule of ROUTE_TABLE.filter((r) => !('public' in r && r.public))) {
    it(`${rule.id}: every role × profession as expected`, () => {
      for (const p of PRINCIPALS) {
        const decision = decideRoute(rule.allow, p);
        assert.equal(
          decision.allowed,
          expectedAllowed(rule.id, p.role, p.profession),
          `${rule.id} for ${p.role}/${p.profession ?? '-'}`,
        );
      }
    });
  }

  it('every route declares its audit metadata: nothing, or an interaction, an action and where the entity is', () => {
    for (const route of ROUTE_TABLE) {
      assert.ok(
        route.audit === null ||
          (route.audit.interaction !== '' &&
            'CRUDE'.includes(route.audit.action) &&
            ['number', 'location', 'fhir', 'request', 'none'].includes(route.audit.entity)),
        route.id,
      );
    }
    // The routes that touch patient data or the audit trail are recorded on success, and so are the
    // operators' dead-letter routes (a retry re-runs a job).
    const recorded = ROUTE_TABLE.filter((r) => r.audit !== null)
      .map((r) => r.id)
      .sort();
    assert.deepEqual(recorded, [
      'audit.page',
      'audit.read',
      'audit.search',
      'consent.record',
      'dispense.read',
      'dispense.record',
      'fhir.process-message',
      'ops.dead-letters.list',
      'ops.dead-letters.retry',
      'prescription.cancel',
      'prescription.create',
      'prescription.document',
      'prescription.read',
      'prescription.replace',
      'prescription.scan',
      'prescription.validate',
    ]);
  });
});

describe('route matching', () => {
  const cases: Array<[string, string, string | undefined, Record<string, string>?]> = [
    ['GET', '/health', 'health'],
    ['GET', '/prescriptions/ABC', 'prescription.read', { number: 'ABC' }],
    ['HEAD', '/prescriptions/ABC', 'prescription.read'],
    ['POST', '/prescriptions', 'prescription.create'],
    ['POST', '/prescriptions/scan', 'prescription.scan'],
    // The dry run is matched before anything could read `$validate` as a number.
    ['POST', '/prescriptions/$validate', 'prescription.validate', {}],
    ['GET', '/prescriptions/$validate', 'prescription.read', { number: '$validate' }],
    ['GET', '/prescriptions/ABC/dispenses', 'dispense.read'],
    ['POST', '/prescriptions/ABC/dispenses', 'dispense.record'],
    ['GET', '/prescriptions/ABC/qr.png', 'prescription.document', { number: 'ABC', document: 'qr.png' }],
    ['POST', '/prescriptions/ABC/cancel', 'prescription.cancel'],
    ['POST', '/prescriptions/ABC/replace', 'prescription.replace', { number: 'ABC' }],
    ['POST', '/prescriptions/ABC/consent', 'consent.record'],
    ['POST', '/fhir/$process-message', 'fhir.process-message'],
    ['GET', '/fhir/metadata', 'fhir.metadata'],
    // Conformance resources; a type the gateway does not serve is then a 404 (gateway/routes/conformance.ts).
    ['GET', '/fhir/StructureDefinition', 'fhir.conformance.search', { type: 'StructureDefinition' }],
    ['GET', '/fhir/Patient', 'fhir.conformance.search', { type: 'Patient' }],
    [
      'GET',
      '/fhir/MessageDefinition/dispense-record',
      'fhir.conformance.read',
      { type: 'MessageDefinition', id: 'dispense-record' },
    ],
    ['GET', '/audit/fhir/metadata', 'audit.metadata'],
    ['POST', '/audit/fhir/metadata', 'audit.write'],
    ['GET', '/audit/fhir/AuditEvent', 'audit.search', { type: 'AuditEvent' }],
    ['GET', '/audit/fhir/AuditEvent/12', 'audit.read', { type: 'AuditEvent', id: '12' }],
    ['GET', '/audit/fhir', 'audit.page'],
    ['DELETE', '/audit/fhir/AuditEvent/12', 'audit.write'],
    ['POST', '/audit/fhir/AuditEvent', 'audit.write'],
    ['GET', '/admin/queues', 'ops.queues'],
    ['POST', '/admin/queues/api/queues/audit/retry/failed', 'ops.queues'],
    ['GET', '/metrics', 'ops.metrics'],
    ['GET', '/admin/dead-letters', 'ops.dead-letters.list'],
    [
      'POST',
      '/admin/dead-letters/dmp-publish/publish-X-v1/retry',
      'ops.dead-letters.retry',
      { queue: 'dmp-publish', jobId: 'publish-X-v1' },
    ],
    ['GET', '/admin/dead-letters/dmp-publish/publish-X-v1/retry', undefined],
    // Not in the table: nobody may call them.
    ['DELETE', '/prescriptions/ABC', undefined],
    ['PUT', '/prescriptions', undefined],
    ['GET', '/prescriptions/ABC/dispenses/extra', undefined],
    ['GET', '/fhir/Patient/1/_history', undefined],
    ['GET', '/admin', undefined],
    ['GET', '/healthz', undefined],
    ['GET', '/audit', undefined],
  ];
  for (const [method, path, id, params] of cases) {
    it(`${method} ${path} → ${id ?? 'no rule'}`, () => {
      const matched = matchRoute(method, path);
      assert.equal(matched?.rule.id, id);
      if (params) assert.deepEqual(matched?.params, params);
    });
  }
});

describe('resource-level rules', () => {
  const owner = { prescriberRpps: '99900000110' };
  const someoneElse = { prescriberRpps: '99900000128' };
  const doctor = principal('prescriber', 'doctor', '99900000110');
  const otherDoctor = principal('prescriber', 'doctor', '99900000128');
  const pharmacist = principal('dispenser', 'pharmacist', '99900000136');

  it('a prescriber submits only what they sign', () => {
    assert.equal(
      authorize.createPrescription(doctor, { prescriber: { rpps: '99900000110', family: 'X', given: 'Y' } }).allowed,
      true,
    );
    assert.equal(
      authorize.createPrescription(doctor, { prescriber: { rpps: '99900000128', family: 'X', given: 'Y' } }).allowed,
      false,
    );
    assert.equal(
      authorize.createPrescription(pharmacist, { prescriber: { rpps: '99900000136', family: 'X', given: 'Y' } })
        .allowed,
      false,
    );
  });

  it('prescribers read their own prescriptions, dispensers any, auditors and operators none', () => {
    assert.equal(authorize.readPrescription(doctor, owner).allowed, true);
    assert.equal(authorize.readPrescription(otherDoctor, owner).allowed, false);
    assert.equal(authorize.readPrescription(doctor, { prescriberRpps: undefined }).allowed, false);
    assert.equal(authorize.readPrescription(pharmacist, someoneElse).allowed, true);
    assert.equal(authorize.readPrescription(principal('auditor'), owner).allowed, false);
    assert.equal(authorize.readPrescription(principal('operator'), owner).allowed, false);
  });

  it('a principal without RPPS never owns a prescription', () => {
    const noRpps = { ...doctor, rpps: '' };
    assert.equal(authorize.readPrescription(noRpps, { prescriberRpps: '' }).allowed, false);
  });

  it('dispensing is seen by its prescriber only, and not when the patient objected', () => {
    assert.equal(authorize.readDispenses(doctor, owner, false).allowed, true);
    assert.equal(authorize.readDispenses(doctor, owner, true).allowed, false);
    assert.equal(authorize.readDispenses(otherDoctor, owner, false).allowed, false);
    assert.equal(authorize.readDispenses(pharmacist, owner, false).allowed, false);
  });

  it('only the prescriber cancels; the prescriber or a dispenser records the patient’s choice', () => {
    assert.equal(authorize.cancelPrescription(doctor, owner).allowed, true);
    assert.equal(authorize.cancelPrescription(otherDoctor, owner).allowed, false);
    assert.equal(authorize.cancelPrescription(pharmacist, owner).allowed, false);
    assert.equal(authorize.recordConsent(doctor, owner).allowed, true);
    assert.equal(authorize.recordConsent(otherDoctor, owner).allowed, false);
    assert.equal(authorize.recordConsent(pharmacist, owner).allowed, true);
    assert.equal(authorize.recordConsent(principal('auditor'), owner).allowed, false);
  });

  it('the prescriber replaces, or a locum standing in for them; nobody else (A10)', () => {
    const signedBy = (p: { rpps: string }, locumFor?: string) => ({
      prescriber: { rpps: p.rpps, family: 'X', given: 'Y' },
      ...(locumFor ? { replacedPrescriber: { rpps: locumFor, family: 'Z', given: 'W' } } : {}),
    });
    assert.equal(authorize.replacePrescription(doctor, owner, signedBy(doctor)).allowed, true);
    assert.equal(authorize.replacePrescription(otherDoctor, owner, signedBy(otherDoctor, doctor.rpps)).allowed, true);
    const refused = authorize.replacePrescription(otherDoctor, owner, signedBy(otherDoctor));
    assert.deepEqual(refused.allowed ? undefined : refused.rule, 'A10');
    assert.equal(
      authorize.replacePrescription(otherDoctor, owner, signedBy(otherDoctor, otherDoctor.rpps)).allowed,
      false,
    );
    assert.equal(authorize.replacePrescription(otherDoctor, owner, signedBy(doctor, doctor.rpps)).allowed, false);
    assert.equal(authorize.replacePrescription(pharmacist, owner, signedBy(pharmacist, doctor.rpps)).allowed, false);
    assert.equal(
      authorize.replacePrescription(otherDoctor, { prescriberRpps: undefined }, signedBy(otherDoctor)).allowed,
      false,
    );
  });

  /** Written out by hand: which profession executes which line kind. */
  const EXECUTES: Record<Profession, LineKind[]> = {
    doctor: [],
    dentist: [],
    midwife: [],
    pharmacist: ['drug', 'device'],
    'lpp-supplier': ['device'],
    nurse: ['acteInfirmier'],
    physiotherapist: ['acteKinesitherapie'],
    'speech-therapist': ['acteOrthophonie'],
    orthoptist: ['acteOrthoptie'],
    podiatrist: ['actePedicurie'],
    biologist: ['acteBiologieMedicale'],
  };
  const KINDS: LineKind[] = [
    'drug',
    'device',
    'acteInfirmier',
    'acteKinesitherapie',
    'acteOrthophonie',
    'acteOrthoptie',
    'actePedicurie',
    'acteBiologieMedicale',
  ];

  for (const profession of ALL) {
    it(`a dispensing ${profession} records exactly ${EXECUTES[profession].join(', ') || 'nothing'}`, () => {
      for (const kind of KINDS) {
        assert.equal(
          authorize.recordExecution(principal('dispenser', profession), kind).allowed,
          EXECUTES[profession].includes(kind),
          `${profession} × ${kind}`,
        );
        assert.equal(
          authorize.recordExecution(principal('prescriber', profession), kind).allowed,
          false,
          `a prescriber ${profession} never records ${kind}`,
        );
      }
    });
  }
});

describe('claims → principal (PSC shape)', () => {
  const config = { claims: DEFAULT_CLAIMS, biologySavoirFaire: DEFAULT_BIOLOGY_SAVOIR_FAIRE };

  it('reads a PSC-like token: SubjectNameID, SubjectRefPro exercice, FINESS of the activity, role and AM claims', () => {
    const payload = {
      sub: 'f:abc:899900000110',
      SubjectNameID: '899900000110',
      SubjectRefPro: {
        exercices: [
          {
            codeProfession: '21',
            codeSavoirFaire: '',
            activities: [{ numeroFinessSite: '750000001', codeSectionPharmacien: 'A' }],
          },
        ],
      },
      ordo_role: 'dispenser',
      ordo_am: '751234567',
    };
    assert.deepEqual(principalFromClaims(payload, config), {
      nationalId: '899900000110',
      rpps: '99900000110',
      profession: 'pharmacist',
      organization: { finess: '750000001', am: '751234567' },
      role: 'dispenser',
      subject: 'f:abc:899900000110',
    });
  });

  it('maps TRE_G15 profession codes, biology by savoir-faire or pharmacist section G', () => {
    const professionOf = (exercice: Record<string, unknown>) =>
      principalFromClaims({ sub: 's', SubjectNameID: '899900000110', SubjectRefPro: { exercices: [exercice] } }, config)
        .profession;
    assert.equal(professionOf({ codeProfession: '10' }), 'doctor');
    assert.equal(professionOf({ codeProfession: '10', codeSavoirFaire: DEFAULT_BIOLOGY_SAVOIR_FAIRE[0] }), 'biologist');
    assert.equal(professionOf({ codeProfession: '21', activities: [{ codeSectionPharmacien: 'G' }] }), 'biologist');
    assert.equal(professionOf({ codeProfession: '40' }), 'dentist');
    assert.equal(professionOf({ codeProfession: '50' }), 'midwife');
    assert.equal(professionOf({ codeProfession: '60' }), 'nurse');
    assert.equal(professionOf({ codeProfession: '70' }), 'physiotherapist');
    assert.equal(professionOf({ codeProfession: '80' }), 'podiatrist');
    assert.equal(professionOf({ codeProfession: '91' }), 'speech-therapist');
    assert.equal(professionOf({ codeProfession: '92' }), 'orthoptist');
    assert.equal(professionOf({ codeProfession: '28' }), 'lpp-supplier');
    // Codes naming inherited members of a plain object are unknown codes.
    for (const codeProfession of ['constructor', '__proto__', 'toString'])
      assert.throws(() => professionOf({ codeProfession }), /no known profession/, codeProfession);
  });

  it('without a role claim a doctor, dentist or midwife prescribes and another profession dispenses', () => {
    const roleOf = (code: string) =>
      principalFromClaims(
        { sub: 's', SubjectNameID: '899900000110', SubjectRefPro: { exercices: [{ codeProfession: code }] } },
        config,
      ).role;
    assert.equal(roleOf('10'), 'prescriber');
    assert.equal(roleOf('40'), 'prescriber');
    assert.equal(roleOf('50'), 'prescriber');
    assert.equal(roleOf('21'), 'dispenser');
    assert.equal(roleOf('60'), 'dispenser');
  });

  it('refuses tokens that cannot make a principal', () => {
    assert.throws(() => principalFromClaims({ SubjectNameID: '899900000110' }, config), /subject/);
    assert.throws(() => principalFromClaims({ sub: 's' }, config), /SubjectNameID/);
    assert.throws(
      () => principalFromClaims({ sub: 's', SubjectNameID: '899900000110', ordo_role: 'admin' }, config),
      /role/,
    );
    // a dispenser with an RPPS whose Luhn key is wrong
    assert.throws(
      () =>
        principalFromClaims(
          { sub: 's', SubjectNameID: '899900000111', SubjectRefPro: { exercices: [{ codeProfession: '21' }] } },
          config,
        ),
      /RPPS/,
    );
    // a professional role without a known profession
    assert.throws(
      () => principalFromClaims({ sub: 's', SubjectNameID: '899900000110', ordo_role: 'prescriber' }, config),
      /profession/,
    );
  });

  it('an auditor needs no RPPS nor profession', () => {
    const p = principalFromClaims({ sub: 's', SubjectNameID: '3751234567/AUD01', ordo_role: 'auditor' }, config);
    assert.equal(p.role, 'auditor');
    assert.equal(p.rpps, '');
  });

  it('the development issuer emits claims this mapping reads back, for every profession', () => {
    for (const profession of ALL) {
      const role: Role = profession === 'doctor' ? 'prescriber' : 'dispenser';
      const payload = {
        sub: 's',
        ...pscClaims({ role, profession, rpps: '99900000110', organization: { finess: '750000001', am: '751234567' } }),
      };
      const p = principalFromClaims(payload, config);
      assert.deepEqual(
        [p.profession, p.role, p.rpps, p.organization],
        [profession, role, '99900000110', { finess: '750000001', am: '751234567' }],
      );
    }
  });
});
