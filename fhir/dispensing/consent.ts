/**
 * The patient's choices on a stored prescription, each a Consent of the prescription
 * (provision.type deny = the patient objects). Pure.
 *  - `consultation-delivrance`: the prescriber seeing what was dispensed or executed (the printed
 *    mention "ne s'oppose pas à ce que je puisse consulter ce qui a été délivré ou exécuté"; CSP:
 *    an objection can be made later too);
 *  - `alimentation-dmp`: the DMP feed. An objection after publication withdraws the published
 *    documents (usecases/dmp/withdraw.ts); a withdrawal is final, so only an objection is accepted.
 */
import type { Consent } from 'fhir/r4';
import type { Outcome } from '../../domain/problem';
import { ok, rejected } from '../../domain/problem';
import { consentTopic } from '../read-prescription';
import { CONSENT_TOPICS, CONSENT_TOPIC_SYSTEM } from '../systems';

const hasTopic = (consent: Consent, topic: string): boolean =>
  (consent.policyRule?.coding ?? []).some((c) => c.system === CONSENT_TOPIC_SYSTEM && c.code === topic);

export const isDispensingViewConsent = (consent: Consent): boolean => hasTopic(consent, CONSENT_TOPICS.dispensingView);
export const isDmpFeedConsent = (consent: Consent): boolean => hasTopic(consent, CONSENT_TOPICS.dmp);

/** One choice per request: which Consent, and whether the patient now objects. */
export interface PatientChoice {
  topic: typeof CONSENT_TOPICS.dispensingView | typeof CONSENT_TOPICS.dmp;
  objects: boolean;
}

/**
 * An absent or unreadable consent is treated as an objection: the data is not shown without a recorded "no
 * objection".
 */
export const patientObjectsToDispensingView = (consent: Consent | undefined): boolean =>
  consent === undefined || consent.status !== 'active' || consent.provision?.type !== 'permit';

export const objectionMessage = (number: string): string =>
  `the patient objects to the prescriber seeing what was dispensed or executed on prescription ${number}`;

/** The consent as it must be stored after the patient's new choice (`dateTime` = when it was recorded). */
export function withPatientChoice(consent: Consent, objects: boolean, now: Date): Consent {
  const { meta: _meta, ...rest } = consent;
  return {
    ...rest,
    ...(consent.meta?.profile ? { meta: { profile: consent.meta.profile } } : {}),
    status: 'active',
    dateTime: now.toISOString(),
    provision: { ...consent.provision, type: objects ? 'deny' : 'permit' },
  };
}

/** The epu-json member of each choice. */
export const CHOICE_MEMBERS = {
  oppositionConsultationDelivrance: CONSENT_TOPICS.dispensingView,
  oppositionAlimentationDMP: CONSENT_TOPICS.dmp,
} as const;
type ChoiceMember = keyof typeof CHOICE_MEMBERS;

const BODY_SHAPE =
  '{"oppositionConsultationDelivrance": true|false}, {"oppositionAlimentationDMP": true} or a FHIR Consent';

/** A withdrawal from the DMP is final: lifting the objection would not bring the documents back. */
const dmpObjectionOnly = (path: string) =>
  rejected([
    {
      code: 'not-supported',
      rule: 'D11',
      path,
      message:
        'only an objection to the DMP feed can be recorded (true / deny): documents withdrawn from the DMP are not published again',
    },
  ]);

/**
 * The patient's choice from a request body, one choice per request: `{"oppositionConsultationDelivrance":
 * true|false}`, `{"oppositionAlimentationDMP": true}` (the epu-json member names), or a FHIR Consent
 * whose policyRule names the topic (consultation-delivrance when absent) and whose provision.type
 * says deny (objection) or permit.
 */
export function readPatientChoice(json: unknown): Outcome<PatientChoice> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return rejected([{ code: 'structure', rule: 'D11', message: `the body must be a JSON object: ${BODY_SHAPE}` }]);
  }
  const body = json as Record<string, unknown>;
  if (body.resourceType === 'Consent') {
    const consent = body as unknown as Consent;
    const topic = consentTopic(consent) ?? CONSENT_TOPICS.dispensingView;
    if (topic !== CONSENT_TOPICS.dispensingView && topic !== CONSENT_TOPICS.dmp) {
      return rejected([
        {
          code: 'not-supported',
          rule: 'D11',
          path: 'Consent.policyRule.coding',
          message: `only the ${CONSENT_TOPICS.dispensingView} and ${CONSENT_TOPICS.dmp} choices can be changed here, not ${topic}`,
        },
      ]);
    }
    const type = consent.provision?.type;
    if (type !== 'deny' && type !== 'permit') {
      return rejected([
        {
          code: 'required',
          rule: 'D11',
          path: 'Consent.provision.type',
          message: 'provision.type must be deny (the patient objects) or permit (the patient does not object)',
        },
      ]);
    }
    if (topic === CONSENT_TOPICS.dmp && type !== 'deny') return dmpObjectionOnly('Consent.provision.type');
    return ok({ topic, objects: type === 'deny' });
  }
  const members = Object.keys(body);
  const unknown = members.find((k) => !(k in CHOICE_MEMBERS));
  if (unknown !== undefined)
    return rejected([{ code: 'structure', rule: 'D11', path: `/${unknown}`, message: `unknown member '${unknown}'` }]);
  if (members.length !== 1) {
    return rejected([
      {
        code: 'structure',
        rule: 'D11',
        ...(members.length > 1 ? { path: `/${members[1]}` } : {}),
        message: `one choice per request: ${BODY_SHAPE}`,
      },
    ]);
  }
  const member = members[0] as ChoiceMember;
  const value = body[member];
  if (typeof value !== 'boolean') {
    return rejected([
      {
        code: 'required',
        rule: 'D11',
        path: `/${member}`,
        message: `${member} must be true (the patient objects) or false`,
      },
    ]);
  }
  const topic = CHOICE_MEMBERS[member];
  if (topic === CONSENT_TOPICS.dmp && !value) return dmpObjectionOnly(`/${member}`);
  return ok({ topic, objects: value });
}
